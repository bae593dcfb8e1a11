"""The rest of Lightning Apps' public API that real apps use, each through `lightwork run` (or Lightning Apps' runner)."""
import json
import os
import subprocess
import sys
import urllib.request

import pytest

import lightwork as L


def test_a_work_as_the_apps_root_runs_once_and_ends_the_app(lightwork):
    run = lightwork(
        """
        from lightning.app import LightningApp, LightningWork

        class Job(LightningWork):
            def run(self):
                print("job ran")

        app = LightningApp(Job())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["root.work | job ran"]


def test_display_name_prefixes_the_output_and_reaches_the_state_api(lightwork):
    run = lightwork(
        """
        import lightning as L

        class Job(L.LightningWork):
            def run(self):
                print("hello")

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Job()
                self.w.display_name = "My Custom Name"
                self.display_name = "The flow"

            def run(self):
                self.w.run()
                if self.w.has_succeeded:
                    try:
                        self.w.display_name = "Too late"
                    except RuntimeError as exc:
                        print(exc)

        app = L.LightningApp(F())
        """
    )
    run.wait_line("root.w.display_name can be set only before the work starts")
    state = json.load(urllib.request.urlopen(f"{run.server_url()}/api/v1/state", timeout=10))
    run.signal(2)
    assert run.wait() == 130
    assert "My Custom Name | hello" in run.stdout_lines
    assert state["works"]["w"]["vars"]["_display_name"] == "My Custom Name"
    assert state["vars"]["_display_name"] == "The flow"


def test_statuses_hold_the_latest_calls_history(lightwork):
    run = lightwork(
        """
        import lightning as L

        class Job(L.LightningWork):
            def __init__(self):
                super().__init__(cache_calls=False)

            def run(self, n):
                pass

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Job()
                self.calls = 0

            def run(self):
                if self.calls < 2 and (self.calls == 0 or self.w.has_succeeded):
                    if self.calls:
                        print("first", [s.stage.value for s in self.w.statuses])
                    self.calls += 1
                    self.w.run(self.calls)
                elif self.w.has_succeeded:
                    statuses = self.w.statuses
                    print("second", [s.stage.value for s in statuses])
                    print("ordered", [s.timestamp for s in statuses] == sorted(s.timestamp for s in statuses))
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["first ['pending', 'running', 'succeeded']", "second ['pending', 'running', 'succeeded']", "ordered True"]


def test_a_value_a_works_run_returns_is_reported_once_and_the_call_succeeds(lightwork):
    # Lightning Apps' own pickle_or_not example returns a bool from run(); Lightning Apps 2.x failed such a work.
    run = lightwork(
        """
        import lightning as L

        class Returns(L.LightningWork):
            def __init__(self):
                super().__init__(cache_calls=False)
                self.calls = 0

            def run(self):
                self.calls += 1
                return {"lost": 1}

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Returns()

            def run(self):
                self.w.run()
                if self.w.calls == 2:
                    self.stop(f"succeeded {self.w.num_successes}")

        app = L.LightningApp(F())
        """,
        env={"LIGHTWORK_NO_UI": "1"},
    )
    assert run.wait(60) == 0, run.stderr
    assert run.stdout_lines == ["succeeded 2"]
    assert run.stderr_lines == ["lightwork: root.w.run() returned a dict, which does not reach the flow: set a state "
                                "attribute (or a Payload) instead"]


def test_a_property_setter_of_a_work_runs_in_its_process(lightwork):
    run = lightwork(
        """
        import lightning as L

        class Job(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.stored = 0

            @property
            def doubled(self):
                return self.stored * 2

            @doubled.setter
            def doubled(self, value):
                self.stored = value // 2

            def run(self):
                self.doubled = 10

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Job()

            def run(self):
                self.w.run()
                if self.w.has_succeeded:
                    self.stop(f"stored {self.w.stored}")

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["stored 5"]


def test_a_failed_work_without_raise_exception_prints_its_traceback_once_and_the_app_goes_on(lightwork):
    run = lightwork(
        """
        import lightning as L

        class Bad(L.LightningWork):
            def __init__(self):
                super().__init__(raise_exception=False)

            def run(self):
                raise ValueError("boom in work")

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Bad()
                self.passes = 0

            def run(self):
                self.w.run()
                if self.w.has_failed:
                    self.passes += 1
                    if self.passes == 3:
                        self.stop("went on")

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines[-1] == "went on"
    assert run.stderr.count("work root.w failed (raise_exception=False: the app goes on)") == 1
    assert run.stderr.count('raise ValueError("boom in work")') == 1 and "ValueError: boom in work" in run.stderr


def test_schedule_fires_at_first_then_once_per_due_time(lightwork):
    run = lightwork(
        """
        import time
        import lightning as L

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self._fired = []
                self._passes = 0

            def run(self):
                self._passes += 1
                if self.schedule("* * * * * */2"):  # croniter's sixth field: every 2 seconds
                    self._fired.append(time.time())
                if self.schedule("hourly"):
                    print("hourly", self._passes)
                if len(self._fired) == 4:
                    gaps = [b - a for a, b in zip(self._fired, self._fired[1:])]
                    print("a pass only for each due time", self._passes == 4)
                    print("no due time fired twice", min(gaps[1:]) >= 1.0)
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait(40) == 0, run.stderr
    assert run.stdout_lines == ["hourly 1", "a pass only for each due time True", "no due time fired twice True"]


def test_schedule_refuses_a_bad_pattern_in_one_line(lightwork):
    run = lightwork(
        """
        import lightning as L

        class F(L.LightningFlow):
            def run(self):
                self.schedule("every tuesday")

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "ValueError: root.schedule('every tuesday'): not a cron pattern; use five fields such as '0 * * * *'" in run.stderr


def test_schedule_counts_from_its_start_time():
    import datetime

    class F(L.LightningFlow):
        def run(self):
            pass

    flow = F()
    long_ago = datetime.datetime.now() - datetime.timedelta(minutes=3)
    assert flow.schedule("* * * * *", start_time=long_ago, user_key="a")  # the first call
    assert flow.schedule("* * * * *", start_time=long_ago, user_key="a")  # three due times missed: fire once
    assert not flow.schedule("* * * * *", start_time=long_ago, user_key="a")  # the next is in the future
    assert flow.schedule("@daily", user_key="b") and not flow.schedule("@daily", user_key="b")


PEER_TESTING = """
import lightwork.compat
lightwork.compat.install()
from lightning.app import LightningApp, LightningFlow, LightningWork
from lightning.app.runners import MultiProcessRuntime
from lightning.app.testing import LightningTestApp, run_work_isolated
from lightning.app.testing.helpers import EmptyFlow, EmptyWork
from lightning.app.utilities.app_helpers import Logger, is_overridden
from lightning.app.utilities.enum import WorkStageStatus
from lightning.app.utilities.exceptions import LightningWorkException, MisconfigurationException

class Counter(LightningWork):
    def __init__(self):
        super().__init__()
        self.count = 0

    def run(self, to):
        import os
        self.count = to
        print("in pid", os.getpid() != PARENT)

class Flow(LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Counter()
        self.e = EmptyWork()

    def run(self):
        self.w.run(5)
        self.e.run()

class StopAfterThree(LightningTestApp):
    def on_after_run_once(self):
        super().on_after_run_once()
        if self.w_done():
            return True

    def w_done(self):
        return self.root.w.has_succeeded and self.root.e.has_succeeded

import os
PARENT = os.getpid()
app = StopAfterThree(Flow())
code = MultiProcessRuntime(app, start_server=False).dispatch()
w = app.root.w  # as with Lightning Apps: once the app ended, a work that ran is stopped, its call succeeded before
print("dispatch", code, w.count, w.status.stage == WorkStageStatus.STOPPED, w.statuses[-2].stage, app.counter > 0, app.stage.value)
work = Counter()
print("isolated", run_work_isolated(work, 7), work.count, work.status.stage)
print("empty", MultiProcessRuntime(LightningApp(EmptyWork()), start_server=False).dispatch())

class Fails(LightningWork):
    def run(self):
        raise ValueError("no")

failing = LightningApp(Fails())
try:
    MultiProcessRuntime(failing, start_server=False).dispatch()
except SystemExit as exit:
    print("failed app", exit.code, failing.stage.value)
try:
    run_work_isolated(Fails())
except SystemExit as exit:
    print("failed isolated", exit.code)

class FlowRaises(LightningFlow):
    def run(self):
        raise KeyError("the flow's own")

raising = LightningApp(FlowRaises())
try:
    MultiProcessRuntime(raising, start_server=False).dispatch()
except KeyError as error:
    print("flow error", error is raising.exception, raising.stage.value)
print("overridden", is_overridden("run", work), is_overridden("configure_layout", work))
Logger("peer.app").info("logged")
assert issubclass(LightningWorkException, Exception) and issubclass(MisconfigurationException, Exception)
"""


def test_the_peers_runner_testing_helpers_and_utilities(tmp_path):
    (tmp_path / "check.py").write_text(PEER_TESTING)
    out = subprocess.run([sys.executable, "check.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if "|" not in line]
    assert lines == ["dispatch 0 5 True succeeded True stopping", "isolated 0 7 succeeded", "empty 0", "failed app 1 failed",
                     "failed isolated 1", "flow error True failed", "overridden True False"]
    assert "root.w | in pid True" in out.stdout
    assert "INFO: logged" in out.stderr


def test_cloud_compute_as_the_peer_documented():
    default = L.CloudCompute()
    assert default.name == "cpu-small" and default.is_default and L.CloudCompute("CPU").is_default
    gpu = L.CloudCompute("gpu", idle_timeout=30)
    assert gpu.shm_size == 1024 and not gpu.is_default
    twin = gpu.clone()
    assert twin is not gpu and twin.name == "gpu" and twin.idle_timeout == 30
    assert L.CloudCompute.from_dict(gpu.to_dict()) == gpu
    with pytest.raises(ValueError, match="idle_timeout must be a number of seconds"):
        L.CloudCompute(idle_timeout=-1)
    with pytest.raises(ValueError, match="colocation_group_id"):
        L.CloudCompute(colocation_group_id="x" * 65)


def test_idle_timeout_stops_an_idle_works_process_and_its_next_call_starts_it_again(lightwork):
    run = lightwork(
        """
        import os
        import lightning as L

        class Job(L.LightningWork):
            def __init__(self):
                super().__init__(cloud_compute=L.CloudCompute("cpu", idle_timeout=1))
                self.pid = 0

            def run(self, n):
                self.pid = os.getpid()

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Job()
                self.pids = []

            def run(self):
                if not self.pids:
                    self.w.run(1)
                    if self.w.has_succeeded:
                        self.pids = [self.w.pid]
                elif len(self.pids) == 1 and self.w.has_stopped:
                    print("stopped:", self.w.status.message)
                    self.pids = self.pids + [0]
                elif len(self.pids) == 2:
                    self.w.run(2)
                    if self.w.has_succeeded:
                        print("ran again in a new process", self.w.pid not in (0, self.pids[0]))
                        self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait(30) == 0, run.stderr
    assert run.stdout_lines == [
        "stopped: idle for 1 s (CloudCompute idle_timeout): its next call starts it again",
        "ran again in a new process True",
    ]


def test_a_mount_is_checked_as_the_peer_did_and_refused_clearly_when_its_work_would_start(lightwork):
    from lightwork.storage import Mount

    assert Mount("s3://bucket/data/").mount_path == "/data/data"
    with pytest.raises(ValueError, match="must end with '/'"):
        Mount("s3://bucket/file.csv")
    with pytest.raises(ValueError, match="must start with one of s3://"):
        Mount("gs://bucket/")
    with pytest.raises(ValueError, match="different mount paths"):
        L.CloudCompute(mounts=[Mount("s3://a/x/", "/m"), Mount("s3://b/y/", "/m")])
    run = lightwork(
        """
        import lightning as L
        from lightning.app.storage import Mount

        class Reader(L.LightningWork):
            def run(self):
                print("must not run")

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Reader(cloud_compute=L.CloudCompute(mounts=Mount("s3://bucket/data/", "/content/data/")))

            def run(self):
                print("flow ran")
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert run.stdout_lines == ["flow ran"]
    assert run.stderr_lines[-1] == (
        "lightwork: work root.w asks CloudCompute(mounts=...) (s3://bucket/data/ at /content/data/), which only the "
        "Lightning AI cloud could mount; read the bucket with fsspec (pip install s3fs) or a Drive instead"
    )


def test_a_build_config_is_kept_and_said_to_be_not_applied(lightwork):
    run = lightwork(
        """
        import lightning as L

        class Build(L.BuildConfig):
            def build_commands(self):
                return ["apt-get install -y ffmpeg"]

        class Job(L.LightningWork):
            def __init__(self):
                super().__init__(cloud_build_config=Build(requirements=["torch"]))

            def run(self):
                print("ran", self.cloud_build_config.requirements, self.local_build_config.requirements)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Job()

            def run(self):
                self.w.run()
                if self.w.has_succeeded:
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["root.w | ran ['torch'] []"]
    assert run.stderr.count("lightwork: root.w.cloud_build_config (requirements torch; 1 build commands) is not applied") == 1


def test_apps_read_a_works_calls_in_lightning_apps_state_layout(lightwork):
    run = lightwork(
        """
        import json
        import lightning as L

        class Job(L.LightningWork):
            def run(self, n):
                pass

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Job()
                self.said = False

            def run(self):
                self.w.run(1)
                self.w.run(2)
                if not self.said:
                    self.said = True
                    calls = self.w.state["calls"]  # as components written for Lightning Apps read it
                    latest = calls["latest_call_hash"]
                    print(json.dumps({"count": len(calls) - 1, "latest": latest, "call": calls[latest],
                                      "others": [k for k in calls if k not in ("latest_call_hash", latest)]}))

        app = L.LightningApp(F())
        """
    )
    run.wait_line('"count"')
    seen = json.loads(next(line for line in run.stdout_lines if '"count"' in line))
    assert seen["count"] == 2 and len(seen["others"]) == 1
    assert [s["stage"] for s in seen["call"]["statuses"]] == ["pending", "running", "succeeded"]
    assert seen["call"]["name"] == "run" and seen["call"]["ret"] is None
    with urllib.request.urlopen(f"{run.server_url()}/api/v1/state") as response:  # the state API: the same layout
        calls = json.load(response)["works"]["w"]["calls"]
    assert calls[seen["latest"]] == seen["call"] and calls["latest_call_hash"] == seen["latest"]
    run.signal(2)
    assert run.wait() == 130


APPLICATION_TESTING = """
import os
import lightwork.compat
lightwork.compat.install()
from lightning.app.testing.testing import LightningTestApp, application_testing
from lightning.app.testing.config import _Config

class Twice(LightningTestApp):
    def on_after_run_once(self):
        super().on_after_run_once()
        return True if self.counter == 2 else None

import sys
before = list(sys.path)
result = application_testing(Twice, ["app.py", "--blocking", "False", "--open-ui", "False", "--without-server", "--env", "GREETING=hi"])
import lightning, lightning.app, lightwork
print("exit", result.exit_code, lightning.app.LightningApp is lightning.LightningApp is lightwork.LightningApp, "GREETING" in os.environ)
print("config", _Config.url)
# as Lightning Apps' loader left it, the app file's folder is appended to sys.path (its tests then drop it)
print("sys.path", sys.path == before + [os.getcwd()])
"""


def test_application_testing_runs_the_app_file_as_its_test_app(tmp_path):
    (tmp_path / "app.py").write_text(
        "import os\nfrom lightning.app import LightningApp, LightningFlow\n\n"
        "class F(LightningFlow):\n    def run(self):\n        print('pass', os.environ['GREETING'])\n\n"
        "app = LightningApp(F())\n"
    )
    (tmp_path / "check.py").write_text(APPLICATION_TESTING)
    env = {k: v for k, v in os.environ.items() if k != "LIGHTNING_CLOUD_URL"}
    out = subprocess.run([sys.executable, "check.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    # One pass (nothing changes after it), and the test app's hooks still come round, as Lightning Apps' did
    assert out.stdout.splitlines() == ["pass hi", "exit 0 True False", "config https://lightning.ai", "sys.path True"]


def test_a_works_on_exit_runs_when_it_is_stopped_and_when_the_app_ends(lightwork, tmp_path):
    run = lightwork(
        """
        import pathlib, time
        import lightning as L

        class Forever(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.started = False

            def run(self):
                self.started = True
                while True:
                    time.sleep(0.05)

            def on_exit(self):
                pathlib.Path(self.name + ".exited").write_text("yes")

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.a, self.b = Forever(), Forever()

            def run(self):
                self.a.run()
                self.b.run()
                if self.a.started and self.b.started and not self.a.has_stopped:
                    self.a.stop()
                elif self.a.has_stopped and pathlib.Path("root.a.exited").exists():
                    self.stop("done")  # b is still running: the app's end stops it

        app = L.LightningApp(F())
        """,
        env={"LIGHTWORK_NO_UI": "1"},
    )
    assert run.wait(60) == 0, run.stderr
    assert (tmp_path / "root.a.exited").read_text() == "yes" and (tmp_path / "root.b.exited").read_text() == "yes"


def test_the_deprecated_flow_exit_ends_the_app_as_stop_does(lightwork):
    run = lightwork(
        """
        import lightning as L

        class F(L.LightningFlow):
            def run(self):
                self._exit("served its files")

        app = L.LightningApp(F())
        """,
        env={"LIGHTWORK_NO_UI": "1"},
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["served its files"]
