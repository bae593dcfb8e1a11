"""`lightwork init app NAME` and `lightwork init component NAME`: what they make runs under `lightwork run`,
and its own tests pass."""
import os
import subprocess
import sys


def _own_tests(folder) -> subprocess.CompletedProcess:
    """The generated project's tests, run as its README says (`python -m pytest` in its folder)."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
                          capture_output=True, text=True, timeout=600)


def test_init_app_makes_an_app_that_runs_and_passes_its_tests(lightwork, tmp_path):
    made = lightwork(["init", "app", "my-app"])
    assert made.wait() == 0, made.stderr
    assert "lightwork run my-app/app.py" in made.stdout
    folder = tmp_path / "my-app"
    assert {os.path.relpath(os.path.join(d, f), folder) for d, _, files in os.walk(folder) for f in files} == {
        "app.py", "my_app/__init__.py", "my_app/components.py", "tests/test_app.py", "pyproject.toml", "README.md"}
    run = lightwork(["run", "my-app/app.py"])
    assert run.wait(timeout=60) == 0, run.stderr
    assert run.banner is not None
    assert run.stdout_lines[-1] == "my-app: counted to 5" and "count: 0" in run.stdout_lines
    tests = _own_tests(folder)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


def test_init_component_makes_a_work_an_app_using_it_and_tests_that_pass(lightwork, tmp_path):
    made = lightwork(["init", "component", "word_count"])
    assert made.wait() == 0, made.stderr
    assert "from word_count import WordCount" in made.stdout
    folder = tmp_path / "word_count"
    assert (folder / "word_count" / "component.py").exists() and (folder / "pyproject.toml").exists()
    run = lightwork(["run", "word_count/app.py", "--no-ui"])
    assert run.wait(timeout=60) == 0, run.stderr
    assert run.stdout_lines == ["WordCount counted 6 words"]
    tests = _own_tests(folder)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout


def test_init_refuses_unusable_names_and_existing_folders_in_one_line(lightwork, tmp_path):
    (tmp_path / "taken").mkdir()
    for kind, name, expected in [
        ("app", "taken", "exists already"),
        ("app", "9lives", "bad name '9lives'"),
        ("component", "a/b", "bad name 'a/b'"),
        ("component", "json", "would make a package 'json' that hides a module"),
        ("app", "lightwork", "would make a package 'lightwork'"),
    ]:
        run = lightwork(["init", kind, name])
        assert run.wait() == 2
        assert len(run.stderr_lines) == 1 and expected in run.stderr, run.stderr
    assert sorted(os.listdir(tmp_path)) == ["taken"]
