"""What every runtime must do, through the Runtime interface alone. A runtime joins by adding a fixture param."""
import os
import signal
import time

import pytest

import lightwork as L
from lightwork.core.delta import public
from lightwork.runtime.process import ProcessRuntime
from lightwork.runtime.protocol import Call, Delta, Exited, Placed, Status, Update


class Echo(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.value = 0
        self.seen = ""
        self.pid = 0

    def run(self, mode="once"):
        self.pid = os.getpid()
        if mode == "fail":
            raise ValueError("asked to fail")
        if mode == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        while mode == "forever":
            self.seen = f"value={self.value}"
            time.sleep(0.005)
        self.value += 1


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.a = Echo()
        self.b = Echo()


@pytest.fixture(scope="module", params=["process", "ray"])
def runtime_kind(request):
    """Module-scoped so that every process-runtime test runs before Ray starts threads in this process
    (the process runtime forks its fork server, which must happen in a single-threaded process)."""
    return request.param


@pytest.fixture
def runtime(request, runtime_kind):
    root = Root()
    if runtime_kind == "ray":
        rt = request.getfixturevalue("ray_instance").runtime(root)
    else:
        rt = ProcessRuntime(root)
    rt.root = root
    yield rt
    rt.shutdown(0.5)


def collect(rt, until, timeout=10.0):
    """Messages `[(name, message), ...]` received until `until(messages)` holds."""
    messages, deadline = [], time.monotonic() + timeout
    while not until(messages):
        assert time.monotonic() < deadline, f"timed out; got {messages}"
        messages.extend(rt.receive(0.05))
    return messages


def stage(messages, name, wanted):
    return any(n == name and isinstance(m, Status) and m.stage == wanted for n, m in messages)


def call(name, seq, mode="once", state=None):
    return Call(f"c{seq}", [], {"mode": mode}, state or {"value": 0, "seen": "", "pid": 0}, seq)


def test_a_call_runs_and_reports_in_order(runtime):
    runtime.start(runtime.root.a)
    runtime.send("root.a", call("root.a", 1, state={"value": 41, "seen": "", "pid": 0}))
    messages = collect(runtime, lambda ms: stage(ms, "root.a", "succeeded"))
    messages = [(n, m) for n, m in messages if not isinstance(m, Placed)]  # where a runtime places works (Ray)
    kinds = [(type(m).__name__, getattr(m, "stage", None)) for _, m in messages]
    assert kinds[0] == ("Status", "running") and kinds[-1] == ("Status", "succeeded")
    changes = {}
    for _, m in messages:
        if isinstance(m, Delta):
            for path, entry in public(m.delta).get("values_changed", {}).items():
                changes[path] = entry["new_value"]
    assert changes["root['works']['a']['vars']['value']"] == 42
    assert all(m.ack == 1 for _, m in messages)


def test_two_works_run_in_separate_processes(runtime):
    for name, work in (("root.a", runtime.root.a), ("root.b", runtime.root.b)):
        runtime.start(work)
        runtime.send(name, call(name, 1))
    messages = collect(runtime, lambda ms: stage(ms, "root.a", "succeeded") and stage(ms, "root.b", "succeeded"))
    pids = {n: e["new_value"] for n, m in messages if isinstance(m, Delta) for p, e in public(m.delta).get("values_changed", {}).items() if p.endswith("['pid']")}
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_updates_reach_a_running_call_and_are_acknowledged(runtime):
    runtime.start(runtime.root.a)
    runtime.send("root.a", call("root.a", 1, mode="forever"))
    collect(runtime, lambda ms: stage(ms, "root.a", "running"))
    runtime.send("root.a", Update(2, {"values_changed": {"root['works']['a']['vars']['value']": {"new_value": 7}}}))
    messages = collect(
        runtime,
        lambda ms: any(isinstance(m, Delta) and "value=7" in str(m.delta) and m.ack == 2 for _, m in ms),
    )
    assert any(isinstance(m, Delta) and m.ack == 2 and m.delta == {} for _, m in messages)  # the acknowledgement


def test_failure_travels_as_data(runtime):
    runtime.start(runtime.root.a)
    runtime.send("root.a", call("root.a", 1, mode="fail"))
    messages = collect(runtime, lambda ms: stage(ms, "root.a", "failed"))
    failure = next(m for _, m in messages if isinstance(m, Status) and m.stage == "failed")
    assert failure.error.type == "ValueError" and failure.error.message == "asked to fail"
    assert 'raise ValueError("asked to fail")' in failure.error.traceback
    assert runtime.is_alive("root.a")  # a failed call does not end the work


def test_stop_ends_a_busy_work_within_its_grace(runtime):
    runtime.start(runtime.root.a)
    runtime.send("root.a", call("root.a", 1, mode="forever"))
    collect(runtime, lambda ms: stage(ms, "root.a", "running"))
    runtime.stop("root.a", grace=0.5)
    collect(runtime, lambda ms: any(isinstance(m, Exited) for _, m in ms))
    assert not runtime.is_alive("root.a")


def test_a_killed_work_is_reported(runtime):
    runtime.start(runtime.root.a)
    runtime.send("root.a", call("root.a", 1, mode="die"))
    started = time.monotonic()
    messages = collect(runtime, lambda ms: any(isinstance(m, Exited) for _, m in ms))
    exited = next(m for _, m in messages if isinstance(m, Exited))
    assert exited.returncode == -signal.SIGKILL or "SIGKILL" in exited.reason or "died" in exited.reason
    assert not stage(messages, "root.a", "succeeded") and not runtime.is_alive("root.a")
    assert time.monotonic() - started < 10


def test_a_restart_does_not_spare_a_stubborn_old_process(runtime):
    class Stubborn(L.LightningWork):
        def __init__(self):
            super().__init__(parallel=True)
            self.pid = 0

        def run(self):
            self.pid = os.getpid()
            while True:
                try:
                    time.sleep(0.01)
                except BaseException:
                    pass  # swallows the stop request

    work = Stubborn()
    runtime.start(work)
    runtime.send(work.name, Call("c1", [], {}, {"pid": 0}, 1))
    messages = collect(runtime, lambda ms: any(isinstance(m, Delta) and "pid" in str(m.delta) for _, m in ms))
    old_pid = next(e["new_value"] for _, m in messages if isinstance(m, Delta) for p, e in public(m.delta).get("values_changed", {}).items() if p.endswith("['pid']"))
    runtime.stop(work.name, grace=0.3)
    runtime.start(work)  # restarted before the old process has ended
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        runtime.receive(0.05)
        try:
            os.kill(old_pid, 0)
        except ProcessLookupError:
            break
    else:
        pytest.fail("the old process was never killed")
