"""`lightwork run`: the spellings it accepts and the bad app files it refuses."""
import subprocess
import sys

APP = """
import lightwork as L

class F(L.LightningFlow):
    def run(self):
        self.stop("ran")

app = L.LightningApp(F())
"""


def test_both_spellings_run_the_app(lightwork):
    first = lightwork(APP)
    assert first.wait() == 0 and first.stdout_lines == ["ran"]
    second = lightwork(["run", "app", "app.py"])
    assert second.wait() == 0 and second.stdout_lines == ["ran"]


def test_missing_app_file(lightwork):
    run = lightwork(["run", "nowhere.py"])
    assert run.wait() == 2
    assert "app file not found: nowhere.py" in run.stderr


def test_app_file_with_a_syntax_error(lightwork):
    run = lightwork("import lightwork as L\n\nclass F(L.LightningFlow):\n    def run(self)\n        pass\n")
    assert run.wait() == 2
    assert "syntax error in the app file app.py, line 4" in run.stderr


def test_app_file_without_an_app(lightwork):
    run = lightwork("import lightwork as L\n")
    assert run.wait() == 2
    assert "defines no LightningApp" in run.stderr


def test_app_file_that_raises_while_loading(lightwork):
    run = lightwork("import lightwork as L\nraise RuntimeError('broken at import')\n")
    assert run.wait() == 1
    assert "RuntimeError: broken at import" in run.stderr and "app.py" in run.stderr


def test_bad_usage(lightwork):
    run = lightwork(["run", "a.py", "b.py", "c.py"])
    assert run.wait() == 2
    assert "expected `lightwork run APP_FILE`" in run.stderr


def test_cli_and_package_import_nothing_heavy():
    code = (
        "import sys, lightwork, lightwork.cli, lightwork.app.loop;"
        "from click.testing import CliRunner;"
        "assert CliRunner().invoke(lightwork.cli.main, ['--help']).exit_code == 0;"
        "heavy = [m for m in ('ray', 'uvicorn', 'fastapi', 'starlette', 'fsspec', 'numpy') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_output_closed_by_the_reader_ends_the_app_quietly(tmp_path):
    import os

    from lightwork.testing import lightwork_command, processes_with

    (tmp_path / "app.py").write_text(
        "import lightwork as L\n"
        "class F(L.LightningFlow):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.lines = 0\n"
        "    def run(self):\n"
        "        print('line')\n"
        "        self.lines += 1\n"  # a change: another pass, another line, until the reader is gone
        "app = L.LightningApp(F())\n"
    )
    token = "pipe-" + os.urandom(4).hex()
    env = {**os.environ, "LIGHTWORK_TEST_TOKEN": token}
    app = subprocess.Popen(lightwork_command() + ["run", "app.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        head = subprocess.run(["head", "-3"], stdin=app.stdout, capture_output=True, text=True, timeout=30)
        app.stdout.close()
        assert app.wait(30) == 141
        assert head.stdout.split("\n", 1)[1] == "line\nline\n" and b"Traceback" not in app.stderr.read()  # after the banner
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        app.stderr.close()
    assert processes_with(token) == []


def test_bad_storage_settings_end_the_run_with_one_line_and_exit_2(lightwork):
    for env, expected in [
        ({"LIGHTWORK_STORAGE_OPTIONS": "{bad"}, "LIGHTWORK_STORAGE_OPTIONS is not valid JSON"),
        ({"LIGHTWORK_STORAGE_OPTIONS": "[1]"}, "LIGHTWORK_STORAGE_OPTIONS must be a JSON object"),
        ({"LIGHTWORK_STORAGE": "nosuch://bucket"}, "unknown storage protocol 'nosuch'"),
    ]:
        run = lightwork(APP, env=env)
        assert run.wait() == 2
        assert run.stderr_lines == [next(line for line in run.stderr_lines if expected in line)], run.stderr
        assert run.stdout_lines == []  # the app never started


def test_drive_commands_refuse_bad_storage_settings_with_one_line(lightwork):
    run = lightwork(["drive", "ls", "lit://d", "--storage", "nosuch://x"])
    assert run.wait() == 2
    assert len(run.stderr_lines) == 1 and "unknown storage protocol 'nosuch'" in run.stderr


def test_an_app_built_on_an_installed_lightning_app_is_named_as_such(lightwork, tmp_path):
    (tmp_path / "lightning_app").mkdir()  # Lightning Apps itself, installed: lightwork never replaces it
    (tmp_path / "lightning_app" / "__init__.py").write_text("class LightningApp:\n    def __init__(self, root):\n        pass\n")
    run = lightwork("from lightning_app import LightningApp\napp = LightningApp(None)\n")
    assert run.wait() == 2
    assert run.stderr.strip() == (
        "lightwork: app.py builds its LightningApp with the installed lightning_app, which lightwork does not "
        "replace: run it where that package is not installed (pip uninstall lightning-app)"
    )
