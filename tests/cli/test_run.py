"""`lightwork run`: the spellings and options it accepts (Lightning Apps' too) and the bad input it refuses."""
import signal
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


# -- Lightning Apps' `lightning run app` options ---------------------------------------------------------------
ARGS_AND_ENV_APP = """
import os, sys
import lightwork as L

class F(L.LightningFlow):
    def run(self):
        self.stop(f"argv={sys.argv[1:]} A={os.environ.get('A')} name={os.environ.get('LIGHTWORK_APP_NAME')}")

app = L.LightningApp(F())
"""


def test_the_options_scripts_pass_to_lightning_run_app_are_accepted(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(ARGS_AND_ENV_APP)
    run = lightwork(["run", "app", "app.py", "--without-server", "--open-ui", "false", "--blocking", "False",
                     "--env", "A=1", "--setup", "--name", "demo", "--app_args", "--lr", "0.1"])
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["argv=['--lr', '0.1'] A=1 name=demo"] and run.stderr_lines == []
    assert run.banner is None  # --without-server is --no-ui


def test_cloud_options_are_refused_in_one_line_naming_the_alternative(lightwork):
    for args, alternative in [
        (["--cloud"], "--runtime ray"),
        (["--cluster-id", "my-cluster"], "--runtime ray --ray-address"),
        (["--secret", "KEY=my-secret"], "--env NAME=VALUE"),
        (["--no-cache"], "PIP_NO_CACHE_DIR"),
    ]:
        run = lightwork(["run", "app", "app.py", *args])
        assert run.wait() == 2
        assert len(run.stderr_lines) == 1 and f"{args[0]} is not available" in run.stderr and alternative in run.stderr
        assert run.stdout_lines == []


def test_bad_names_and_credentials_are_one_line_and_exit_2(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    for args, expected in [
        (["--name", ""], "--name: bad app name ''"),
        (["--name", "a/b"], "--name: bad app name 'a/b'"),
        (["--name", "x" * 65], "--name: bad app name"),
        (["--name", ".."], "--name: bad app name '..'"),
        (["--enable-basic-auth", "nocolon"], "--enable-basic-auth: expected USER:PASSWORD"),
        (["--enable-basic-auth", ":password"], "--enable-basic-auth: expected USER:PASSWORD"),
    ]:
        run = lightwork(["run", "app.py", *args])
        assert run.wait() == 2
        assert len(run.stderr_lines) == 1 and expected in run.stderr, run.stderr
        assert run.stdout_lines == []


DRIVE_APP = """
import lightwork as L
from lightwork.storage import Drive

class W(L.LightningWork):
    def run(self):
        with open("note.txt", "w") as note:
            note.write("hi")
        Drive("lit://notes").put("note.txt")

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = W()

    def run(self):
        self.w.run()
        self.stop("stored")

app = L.LightningApp(F())
"""


def test_a_named_app_shows_its_name_and_keeps_its_drives_apart(lightwork, tmp_path):
    import httpx

    (tmp_path / "app.py").write_text(DRIVE_APP.replace('self.stop("stored")', 'print("stored", flush=True)'))
    named = lightwork(["run", "app.py", "--name", "team-a"])
    url = named.server_url()
    named.wait_line("stored")
    page = httpx.get(f"{url}/view").text
    assert "<title>team-a - lightwork</title>" in page and "<h1>team-a</h1>" in page
    assert httpx.get(f"{url}/api/v1/status").json()["app"]["name"] == "team-a"
    assert httpx.get(f"{url}/api/v1/drives").json() == ["notes"]
    named.signal(signal.SIGINT)
    assert named.wait() == 130
    assert (tmp_path / ".lightwork" / "apps" / "team-a" / "drives" / "notes" / "note.txt").read_text() == "hi"
    assert not (tmp_path / ".lightwork" / "drives").exists()  # unnamed apps keep .lightwork/drives, as before
    listed = lightwork(["drive", "ls", "lit://notes", "--name", "team-a"])
    assert listed.wait() == 0 and listed.stdout_lines == ["note.txt"]
    unnamed = lightwork(["drive", "ls", "lit://notes"])
    assert unnamed.wait() == 0 and unnamed.stdout_lines == []
    bad = lightwork(["drive", "ls", "lit://notes", "--name", "../x"])
    assert bad.wait() == 2 and len(bad.stderr_lines) == 1 and "bad app name '../x'" in bad.stderr


def _browser_script(tmp_path):
    """A stand-in browser (BROWSER is how Python's webbrowser, and users, pick one): it writes the URL it got."""
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" >> {tmp_path / "opened.txt"}\n')
    script.chmod(0o755)
    return {"BROWSER": str(script)}


def test_open_ui_true_opens_the_browser_and_the_default_does_not(lightwork, tmp_path):
    import time

    (tmp_path / "app.py").write_text(APP.replace('self.stop("ran")', 'print("ran", flush=True)'))
    opened = tmp_path / "opened.txt"
    quiet = lightwork(["run", "app.py"], env=_browser_script(tmp_path))
    quiet.server_url()
    quiet.wait_line("ran")
    quiet.signal(signal.SIGINT)
    assert quiet.wait() == 130 and not opened.exists()
    run = lightwork(["run", "app.py", "--open-ui", "true"], env=_browser_script(tmp_path))
    url = run.server_url()
    deadline = time.monotonic() + 20
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened.read_text().split() == [f"{url}/view"]
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_open_ui_without_a_browser_says_so_in_one_line(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    run = lightwork(["run", "app.py", "--open-ui", "true"], env={"BROWSER": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert run.wait() == 0 and run.stdout_lines == ["ran"] and run.banner is not None
    assert [line for line in run.stderr_lines if "--open-ui" in line] == [
        "lightwork: --open-ui: no web browser to open here (no display, and BROWSER is not set)"]
