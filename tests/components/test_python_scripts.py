"""TracerPythonScript and PopenPythonScript: a user's script run by a work, through `lightwork run`."""
import textwrap

SCRIPT = """
import os, sys
from trainer_lib import Trainer

print("script argv", sys.argv[1:], "env", os.environ.get("SCRIPT_MODE"), "scale", scale)
trainer = Trainer(steps=3)
trainer.fit()
result = {"total": scale * sum(range(4)), "argv": sys.argv[1:]}
with open("report.txt", "w") as handle:
    handle.write("written by the script")
"""

TRAINER_LIB = """
class Trainer:
    def __init__(self, steps, callbacks=()):
        self.steps, self.callbacks, self.step = steps, list(callbacks), 0

    def fit(self):
        for self.step in range(1, self.steps + 1):
            for callback in self.callbacks:
                callback(self)
"""

TRACER_APP = """
import lightning as L
from lightning.app.components import TracerPythonScript
from lightning.app.storage import Payload
from trainer_lib import Trainer


class Traced(TracerPythonScript):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_seen = 0

    def configure_tracer(self):
        tracer = super().configure_tracer()

        def add_callback(trainer, *args, **kwargs):  # injected into the script's Trainer: the work sees its steps
            kwargs["callbacks"] = list(kwargs.get("callbacks", [])) + [lambda t: setattr(self, "step_seen", t.step)]
            return {}, args, kwargs

        tracer.add_traced(Trainer, "__init__", pre_fn=add_callback)
        return tracer


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.script = Traced("script.py", script_args="--lr 0.1", outputs=["result", "report.txt"], env={"SCRIPT_MODE": "traced"})
        self.scale = Payload(10)  # one object: the same call on every pass, run once

    def run(self):
        self.script.run(params={"--epochs": 2}, scale=self.scale)
        if self.script.has_succeeded:
            print("result", self.script.result.value)
            print("step seen", self.script.step_seen)
            with open(self.script.__dict__["report.txt"]) as report:
                print("report", report.read())
            self.stop()


app = L.LightningApp(Root())
"""


def test_tracer_runs_the_script_in_the_work_with_args_env_globals_tracing_and_outputs(lightwork, tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    (tmp_path / "trainer_lib.py").write_text(TRAINER_LIB)
    run = lightwork(TRACER_APP)
    assert run.wait(60) == 0, run.stderr
    assert "root.script | script argv ['--lr', '0.1', '--epochs=2'] env traced scale 10" in run.stdout_lines
    assert "result {'total': 60, 'argv': ['--lr', '0.1', '--epochs=2']}" in run.stdout_lines
    assert "step seen 3" in run.stdout_lines
    assert "report written by the script" in run.stdout_lines


def test_tracer_says_which_script_is_missing(lightwork):
    run = lightwork("""
        import lightning as L
        from lightning.app.components import TracerPythonScript

        app = L.LightningApp(TracerPythonScript("nowhere.py"))
    """)
    assert run.wait(60) == 1
    assert "FileNotFoundError: TracerPythonScript: the script nowhere.py was not found" in run.stderr


POPEN_APP = """
import lightning as L
from lightning.app.components import PopenPythonScript


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.good = PopenPythonScript("child.py", script_args=["a", "b"], env={"CHILD_ENV": "yes"})
        self.bad = PopenPythonScript("child.py", script_args=["fail"], raise_exception=False)

    def run(self):
        self.good.run()
        self.bad.run()
        if self.good.has_succeeded and self.bad.has_failed:
            print("exit codes", self.good.exit_code, self.bad.exit_code, "pids differ", self.good.pid != self.bad.pid)
            self.stop()


app = L.LightningApp(Root())
"""


def test_popen_runs_the_script_as_a_child_shows_its_output_and_fails_on_a_bad_exit(lightwork, tmp_path):
    (tmp_path / "child.py").write_text(textwrap.dedent("""
        import os, sys
        print("child says", sys.argv[1:], os.environ.get("CHILD_ENV"))
        sys.exit(3 if sys.argv[1:] == ["fail"] else 0)
    """))
    run = lightwork(POPEN_APP)
    assert run.wait(60) == 0, run.stderr
    assert "root.good | child says ['a', 'b'] yes" in run.stdout_lines
    assert "root.bad | child says ['fail'] None" in run.stdout_lines
    assert "exit codes 0 3 pids differ True" in run.stdout_lines
    assert "child.py exited with code 3" in run.stderr
