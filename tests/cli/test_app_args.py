"""`lightwork run` options real apps use: `--app_args`/`--` (the app's sys.argv), `--env`, `--setup`."""
ARGPARSE_APP = """
import argparse, os, sys
import lightning as L

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--port", type=int, default=0)  # a name lightwork's run also has: the app's here
args = parser.parse_args()
print("argv", sys.argv)

class W(L.LightningWork):
    def run(self):
        print("work sees", os.environ.get("MY_VAR"), os.environ.get("OTHER"))

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = W()

    def run(self):
        self.w.run()
        self.stop(f"lr={args.lr} port={args.port}")

app = L.LightningApp(F())
"""


def test_words_after_app_args_are_the_apps_argv(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(ARGPARSE_APP)
    run_args = lightwork(["run", "app.py", "--no-ui", "--app_args", "--lr", "0.1", "--port", "9"])
    assert run_args.wait() == 0, run_args.stderr
    assert run_args.stdout_lines[0] == "argv ['app.py', '--lr', '0.1', '--port', '9']"
    assert run_args.stdout_lines[-1] == "lr=0.1 port=9"


def test_a_double_dash_works_too_and_the_apps_argparse_errors_are_its_own(lightwork):
    first = lightwork(ARGPARSE_APP)  # no arguments: the app's own argparse refuses, as `python app.py` would
    assert first.wait() == 2 and "usage: app.py" in first.stderr and "the following arguments are required: --lr" in first.stderr
    assert "lightwork" not in first.stderr
    second = lightwork(["run", "app", "app.py", "--", "--lr", "2"])
    assert second.wait() == 0 and second.stdout_lines[-1] == "lr=2.0 port=0"


def test_env_reaches_the_app_and_its_works(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(ARGPARSE_APP)
    run = lightwork(["run", "app.py", "--env", "MY_VAR=a=b", "--env", "OTHER=", "--app_args", "--lr", "1"])
    assert run.wait() == 0, run.stderr
    assert "root.w | work sees a=b " in run.stdout_lines


def test_a_bad_env_pair_is_a_usage_error(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(ARGPARSE_APP)
    for bad in ("NOEQUALS", "1BAD=x"):
        run = lightwork(["run", "app.py", "--env", bad])
        assert run.wait() == 2
        assert "Invalid value for --env: expected NAME=VALUE" in run.stderr and repr(bad) in run.stderr


SETUP_APP = """#!/usr/bin/env python
# !echo first > setup_marker.txt
# ! echo second >> setup_marker.txt
# !pip --version
import lightning as L

class F(L.LightningFlow):
    def run(self):
        self.stop(open("setup_marker.txt").read().replace("\\n", " ").strip())

app = L.LightningApp(F())
"""


def test_setup_runs_the_comment_commands_and_the_requirements(lightwork, tmp_path):
    import sys

    (tmp_path / "requirements.txt").write_text("click\n")  # installed already: pip says so, offline
    (tmp_path / "app.py").write_text(SETUP_APP)
    run = lightwork(["run", "app.py", "--no-ui", "--setup"])
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines[-1] == "first second"
    assert any(line.startswith("pip ") and sys.prefix in line for line in run.stdout_lines)  # this Python's pip
    assert any("Requirement already satisfied: click" in line for line in run.stdout_lines)


def test_without_setup_nothing_runs(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(SETUP_APP)
    run = lightwork(["run", "app.py", "--no-ui"])
    assert run.wait() == 1 and "setup_marker.txt" in run.stderr  # the app's own open() fails
    assert not (tmp_path / "setup_marker.txt").exists()


def test_a_failing_setup_command_stops_before_the_app_with_its_line(lightwork, tmp_path):
    (tmp_path / "app.py").write_text("# !exit 3\nimport lightning as L\nprint('app loaded')\n")
    run = lightwork(["run", "app.py", "--setup"])
    assert run.wait() == 2
    assert run.stderr.strip().splitlines()[-1] == "lightwork: setup command on line 1 of app.py failed: exit 3 (its output is above; fix the line and run again)"
    assert "app loaded" not in run.stdout
