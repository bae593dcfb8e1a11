"""StreamRuntime (the process runtime's sockets): a message for a work whose process just died is dropped, not
raised, and its exit is reported as usual (a Ctrl+C then stops the app with 130, never a stray BrokenPipeError)."""
import os
import time

import lightwork as L
from lightwork.runtime.process import ProcessRuntime
from lightwork.runtime.protocol import Call, Exited, Status, Stop, Update


class Busy(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.value = 0

    def run(self):
        while True:
            time.sleep(0.01)


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Busy()


def _receive_until(runtime, until, timeout=10.0) -> list:
    messages, deadline = [], time.monotonic() + timeout
    while not until(messages):
        assert time.monotonic() < deadline, f"timed out; got {messages}"
        messages.extend(runtime.receive(0.05))
    return messages


def _killed_before_anyone_noticed(runtime) -> None:
    """Kill the work's process and wait until it is gone, without letting the runtime read its socket."""
    pid = next(iter(runtime._pids.values()))
    os.kill(pid, 9)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:  # reaped by the fork server
        time.sleep(0.01)


def test_sending_to_a_work_whose_process_died_unnoticed_drops_the_message():
    root = Root()
    runtime = ProcessRuntime(root)
    try:
        runtime.start(root.w)
        runtime.send("root.w", Call("c1", [], {}, {"value": 0}, 1))
        _receive_until(runtime, lambda ms: any(isinstance(m, Status) and m.stage == "running" for _, m in ms))
        _killed_before_anyone_noticed(runtime)
        runtime.send("root.w", Update(2, {}))  # raised BrokenPipeError before
        runtime.send("root.w", Stop())
        messages = _receive_until(runtime, lambda ms: any(isinstance(m, Exited) for _, m in ms))
        assert [name for name, m in messages if isinstance(m, Exited)] == ["root.w"]
        assert not runtime.is_alive("root.w")
    finally:
        runtime.shutdown(0.5)


def test_shutdown_after_a_work_died_unnoticed_completes():
    root = Root()
    runtime = ProcessRuntime(root)
    runtime.start(root.w)
    runtime.send("root.w", Call("c1", [], {}, {"value": 0}, 1))
    _receive_until(runtime, lambda ms: any(isinstance(m, Status) and m.stage == "running" for _, m in ms))
    _killed_before_anyone_noticed(runtime)
    runtime.shutdown(0.5)  # sends Stop to it first: raised BrokenPipeError before, and the fork server was left
    assert runtime._control.fileno() == -1  # it went on to close the fork server's socket
