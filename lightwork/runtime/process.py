"""The default runtime: each work is an OS process forked by the fork server."""
from __future__ import annotations

import base64
import json
import os
import selectors
import signal
import socket
import time
from dataclasses import dataclass, field

from . import forkserver
from .base import Runtime
from .protocol import Connection, Exited


@dataclass
class _Handle:
    name: str
    conn: Connection
    pid: int | None = None
    messages: list = field(default_factory=list)
    kill_at: float | None = None
    closed: bool = False
    exit_code: int | None = None
    reaped: bool = False


class ProcessRuntime(Runtime):
    """Works as local processes. Create it before the app starts any thread: it forks the fork server.

    `cleanup` folders are removed once every work has ended, even when the app process was killed.
    """

    def __init__(self, root, cleanup: tuple = ()) -> None:
        works = {w.name: w for w in root._lw_components() if w._lw_group == "works"}
        self._known = {id(w): name for name, w in works.items()}
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:  # the fork server: it must never return into the app's code
            try:
                self._control.close()
                forkserver.serve(theirs, works, list(cleanup))
            finally:
                os._exit(1)
        theirs.close()
        self._server_pid = pid
        self._handles: dict[str, _Handle] = {}
        self._retired: list[_Handle] = []  # replaced by a restart while still stopping: still to be killed
        self._by_pid: dict[int, _Handle] = {}
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._control, selectors.EVENT_READ, None)

    def start(self, work) -> None:
        old = self._handles.get(work.name)
        if old is not None and not old.closed and old.kill_at is None:
            raise RuntimeError(f"{work.name} is already running")
        if old is not None and not old.reaped:
            self._retired.append(old)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request = {"op": "spawn", "name": work.name, "path": list(work._lw_path)}
        if id(work) in self._known:
            request["known_as"] = self._known[id(work)]
        else:  # a work created after the app started: send the object itself
            import cloudpickle

            from .worker import portable_copy

            request["blob"] = base64.b64encode(cloudpickle.dumps(portable_copy(work))).decode()
        forkserver.send(self._control, request, [theirs.fileno()])
        theirs.close()
        handle = _Handle(work.name, Connection(ours))
        self._handles[work.name] = handle
        ours.setblocking(False)
        self._selector.register(ours, selectors.EVENT_READ, handle)

    def is_alive(self, name: str) -> bool:
        handle = self._handles.get(name)
        return handle is not None and not handle.reaped

    def send(self, name: str, message) -> None:
        conn = self._handles[name].conn
        conn.sock.setblocking(True)
        try:
            conn.send(message)
        except OSError:
            pass  # the process is gone; its exit is reported by receive()
        finally:
            conn.sock.setblocking(False)

    def receive(self, timeout: float | None) -> list:
        timeout = self._next_kill_timeout(timeout)
        events = []
        for key, _ in self._selector.select(timeout):
            if key.data is None:
                self._read_control()
            else:
                self._read(key.data)
        self._kill_overdue()
        self._retired = [h for h in self._retired if not h.reaped]
        for handle in list(self._handles.values()):
            events.extend((handle.name, m) for m in handle.messages)
            handle.messages.clear()
            if handle.closed and handle.reaped:
                events.append((handle.name, Exited(handle.exit_code)))
                del self._handles[handle.name]
        return events

    def _read(self, handle: _Handle) -> None:
        while not handle.closed:
            try:
                data = handle.conn.sock.recv(1 << 20)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                handle.closed = True
                self._selector.unregister(handle.conn.sock)
                handle.conn.close()
                return
            handle.messages.extend(handle.conn.feed(data))

    def _read_control(self) -> None:
        while True:
            try:
                data = self._control.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            if not data:
                raise RuntimeError("the lightwork fork server ended unexpectedly")
            report = json.loads(data)
            if report["op"] == "spawned":
                handle = self._handles.get(report["name"])
                if handle is not None and handle.pid is None:
                    handle.pid = report["pid"]
                    self._by_pid[handle.pid] = handle
            elif report["op"] == "exited":
                handle = self._by_pid.pop(report["pid"], None)
                if handle is not None:
                    handle.exit_code, handle.reaped = report["returncode"], True
                    self._read(handle)  # the process is gone: everything it sent is buffered

    def _signal(self, handle: _Handle, signum: int) -> None:
        if handle.pid is not None and not handle.reaped:
            forkserver.send(self._control, {"op": "signal", "pid": handle.pid, "signal": int(signum)})

    def stop(self, name: str, grace: float) -> None:
        handle = self._handles.get(name)
        if handle is None or handle.kill_at is not None:
            return
        handle.kill_at = time.monotonic() + grace
        if handle.pid is None:
            self._await_pid(handle)
        self._signal(handle, signal.SIGTERM)

    def _await_pid(self, handle: _Handle, timeout: float = 2.0) -> None:
        deadline = time.monotonic() + timeout
        while handle.pid is None and time.monotonic() < deadline:
            self._selector.select(0.01)
            self._read_control()

    def _stopping(self) -> list:
        handles = [*self._handles.values(), *self._retired]
        return [h for h in handles if h.kill_at is not None and not h.reaped]

    def _next_kill_timeout(self, timeout: float | None) -> float | None:
        deadlines = [h.kill_at for h in self._stopping()]
        if not deadlines:
            return timeout
        until = max(0.0, min(deadlines) - time.monotonic())
        return until if timeout is None else min(timeout, until)

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        for handle in self._stopping():
            if handle.kill_at <= now:
                self._signal(handle, signal.SIGKILL)
                handle.kill_at = now + 3600  # asked once; the exit report ends it

    def shutdown(self, grace: float) -> None:
        for name in list(self._handles):
            self.stop(name, grace)
        deadline = time.monotonic() + grace + 1.0
        while any(not h.reaped for h in [*self._handles.values(), *self._retired]) and time.monotonic() < deadline:
            self.receive(0.05)
        self._control.close()  # the fork server kills what is left and exits
        _wait_pid(self._server_pid, 2.0)
        self._selector.close()
        for handle in [*self._handles.values(), *self._retired]:
            handle.conn.close()


def _wait_pid(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.005)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
