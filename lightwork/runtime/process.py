"""The default runtime: each work is an OS process forked by the fork server."""
from __future__ import annotations

import base64
import collections
import contextlib
import json
import resource
import os
import selectors
import signal
import socket
import time
from dataclasses import dataclass, field

from . import forkserver
from .base import Runtime, WorkStartError
from .protocol import Adopt, Connection, Exited

_WAKE = object()  # the selector key of the wake-up socket


@dataclass(eq=False)
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

    Nothing here blocks on a work or on the fork server: what a socket does not take at once waits in an
    outbox until the selector says it is writable. `cleanup` folders are removed once every work has ended,
    even when the app process was killed.
    """

    def __init__(self, root, cleanup: tuple = ()) -> None:
        works = {w.name: w for w in root._lw_components() if w._lw_group == "works"}
        self._known = {id(w): name for name, w in works.items()}
        raise_open_files_limit()
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:  # the fork server: it must never return into the app's code
            try:
                self._control.close()
                forkserver.serve(theirs, works, list(cleanup), preload_storage=_app_uses_storage(root))
            finally:
                os._exit(1)
        theirs.close()
        self._server_pid = pid
        self._control.setblocking(False)
        self._control_outbox: collections.deque = collections.deque()  # (request bytes, socket to pass or None)
        self._handles: dict[str, _Handle] = {}
        self._retired: list[_Handle] = []  # replaced by a restart while still stopping: still to be killed
        self._ready: dict[_Handle, None] = {}  # handles with messages or an exit to report, in arrival order
        self._stopping: dict[_Handle, None] = {}  # asked to stop, not reaped yet: killed at their kill_at
        self._by_pid: dict[int, _Handle] = {}
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._control, selectors.EVENT_READ, None)
        self._waker, self._wakee = socket.socketpair()  # wake() writes, receive() drains: no thread owns the selector
        for end in (self._waker, self._wakee):
            end.setblocking(False)
        self._selector.register(self._wakee, selectors.EVENT_READ, _WAKE)

    def start(self, work) -> None:
        old = self._handles.get(work.name)
        if old is not None and not old.closed and old.kill_at is None:
            raise RuntimeError(f"{work.name} is already running")
        self._retired = [h for h in self._retired if not h.reaped]
        if old is not None and not old.reaped:
            self._retired.append(old)
        try:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError as exc:
            raise WorkStartError(work.name, exc) from None
        ours.setblocking(False)
        handle = _Handle(work.name, Connection(ours))
        request = {"op": "spawn", "name": work.name, "path": list(work._lw_path)}
        if id(work) in self._known:
            request["known_as"] = self._known[id(work)]
        else:  # a work created after the app started: its object goes first on its own socket, any size
            import cloudpickle

            from .worker import portable_copy

            handle.conn.queue(Adopt(base64.b64encode(cloudpickle.dumps(portable_copy(work))).decode()))
        self._handles[work.name] = handle
        self._selector.register(ours, self._events(handle), handle)
        self._send_control(request, theirs)

    def is_alive(self, name: str) -> bool:
        handle = self._handles.get(name)
        return handle is not None and not handle.reaped

    def send(self, name: str, message) -> None:
        handle = self._handles[name]
        if handle.closed:
            return  # the process is gone; its exit is reported by receive()
        handle.conn.queue(message)
        if handle.conn.outbox:
            self._selector.modify(handle.conn.sock, self._events(handle), handle)

    @staticmethod
    def _events(handle: _Handle) -> int:
        return selectors.EVENT_READ | (selectors.EVENT_WRITE if handle.conn.outbox else 0)

    def receive(self, timeout: float | None) -> list:
        timeout = self._next_kill_timeout(timeout)
        events = []
        for key, mask in self._selector.select(timeout):
            handle = key.data
            if handle is _WAKE:
                with contextlib.suppress(BlockingIOError):
                    while self._wakee.recv(4096):
                        pass
                continue
            if handle is None:
                if mask & selectors.EVENT_WRITE:
                    self._flush_control()
                if mask & selectors.EVENT_READ:
                    self._read_control()
                continue
            if mask & selectors.EVENT_WRITE:
                self._flush(handle)
            if mask & selectors.EVENT_READ:
                self._read(handle)
        self._kill_overdue()
        ready, self._ready = self._ready, {}
        for handle in ready:
            if self._handles.get(handle.name) is handle:  # not a process a restart has replaced
                events.extend((handle.name, m) for m in handle.messages)
            handle.messages.clear()
            if handle.closed and handle.reaped and self._handles.get(handle.name) is handle:
                events.append((handle.name, Exited(handle.exit_code)))
                del self._handles[handle.name]
        return events

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # full: a wake-up is pending anyway; closed: shut down
            self._waker.send(b"\0")

    def _flush(self, handle: _Handle) -> None:
        try:
            if handle.conn.flush():
                self._selector.modify(handle.conn.sock, selectors.EVENT_READ, handle)
        except OSError:  # the process is gone: what it could not take is dropped
            self._close(handle)

    def _read(self, handle: _Handle) -> None:
        while not handle.closed:
            try:
                data = handle.conn.sock.recv(1 << 20)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._close(handle)
                return
            handle.messages.extend(handle.conn.feed(data))
            self._ready[handle] = None

    def _close(self, handle: _Handle) -> None:
        if not handle.closed:
            handle.closed = True
            self._selector.unregister(handle.conn.sock)
            handle.conn.close()

    # -- the fork server -----------------------------------------------------------------------------------
    def _send_control(self, request: dict, attached: socket.socket | None = None) -> None:
        self._control_outbox.append((json.dumps(request).encode(), attached))
        self._flush_control()

    def _flush_control(self) -> None:
        """Send queued requests without blocking: the fork server may itself be waiting for us to read."""
        while self._control_outbox:
            data, attached = self._control_outbox[0]
            try:
                if attached is None:
                    self._control.send(data)
                else:
                    socket.send_fds(self._control, [data], [attached.fileno()])
            except (BlockingIOError, InterruptedError):
                self._selector.modify(self._control, selectors.EVENT_READ | selectors.EVENT_WRITE, None)
                return
            except OSError as exc:
                raise RuntimeError(f"the lightwork fork server ended unexpectedly ({exc.strerror})") from None
            self._control_outbox.popleft()
            if attached is not None:
                attached.close()
        self._selector.modify(self._control, selectors.EVENT_READ, None)

    def _read_control(self) -> None:
        while True:
            try:
                data = self._control.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                return
            if not data:
                raise RuntimeError("the lightwork fork server ended unexpectedly")
            report = json.loads(data)
            if report["op"] == "spawned":
                handle = self._handles.get(report["name"])
                if handle is not None and handle.pid is None:
                    handle.pid = report["pid"]
                    self._by_pid[handle.pid] = handle
                    if handle.kill_at is not None:  # stopped before it had a pid
                        self._signal(handle, signal.SIGTERM)
            elif report["op"] == "exited":
                handle = self._by_pid.pop(report["pid"], None)
                if handle is not None:
                    handle.exit_code, handle.reaped = report["returncode"], True
                    self._stopping.pop(handle, None)
                    self._ready[handle] = None
                    # Everything it sent is buffered; a process it started may still hold its socket open.
                    self._read(handle)
                    self._close(handle)
            elif report["op"] == "failed":
                raise WorkStartError(report["name"], OSError(report["errno"], report["error"]))

    def _signal(self, handle: _Handle, signum: int) -> None:
        if handle.pid is not None and not handle.reaped:
            self._send_control({"op": "signal", "pid": handle.pid, "signal": int(signum)})

    def stop(self, name: str, grace: float) -> None:
        handle = self._handles.get(name)
        if handle is None or handle.kill_at is not None:
            return
        handle.kill_at = time.monotonic() + grace
        self._stopping[handle] = None
        self._signal(handle, signal.SIGTERM)  # or as soon as its pid is known

    def _next_kill_timeout(self, timeout: float | None) -> float | None:
        deadlines = [h.kill_at for h in self._stopping]
        if not deadlines:
            return timeout
        until = max(0.0, min(deadlines) - time.monotonic())
        return until if timeout is None else min(timeout, until)

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        for handle in self._stopping:
            if handle.kill_at <= now and handle.pid is not None:
                self._signal(handle, signal.SIGKILL)
                handle.kill_at = now + 3600  # asked once; the exit report ends it

    def shutdown(self, grace: float) -> None:
        for name in list(self._handles):
            self.stop(name, grace)
        deadline = time.monotonic() + grace + 1.0
        while any(not h.reaped for h in [*self._handles.values(), *self._retired]) and time.monotonic() < deadline:
            self.receive(0.05)
        self._control.close()  # the fork server kills what is left and exits
        for _, attached in self._control_outbox:
            if attached is not None:
                attached.close()
        _wait_pid(self._server_pid, 2.0)
        self._selector.close()
        self._waker.close()
        self._wakee.close()
        for handle in [*self._handles.values(), *self._retired]:
            handle.conn.close()


def _app_uses_storage(root) -> bool:
    """Whether the app refers to a Drive or Path: in its state, or by name in one of the app's own modules."""
    import sys
    import sysconfig

    from .. import storage
    from ..core.codec import TAG

    state = json.dumps(root.state)
    if f'"{TAG}": "drive"' in state or f'"{TAG}": "path"' in state:
        return True
    installed = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")})
    names = (storage, storage.Drive, storage.Path)
    for module in list(sys.modules.values()):
        origin = getattr(module, "__file__", None) or ""
        if origin and not origin.startswith(installed) and not module.__name__.startswith("lightwork"):
            if any(value is name for value in vars(module).values() for name in names):
                return True
    return False


def raise_open_files_limit() -> None:
    """Each work holds a socket in the app's process: let the app use as many files as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20  # Linux refuses an infinite soft limit here
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass


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
