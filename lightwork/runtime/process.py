"""The default runtime: each work is an OS process forked by the fork server."""
from __future__ import annotations

import base64
import collections
import json
import resource
import os
import selectors
import signal
import socket
import time

from . import forkserver
from .base import WorkStartError
from .protocol import Adopt, Exited
from .streams import Handle, StreamRuntime


class ProcessRuntime(StreamRuntime):
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
        super().__init__()
        self._server_pid = pid
        self._control.setblocking(False)
        self._control_outbox: collections.deque = collections.deque()  # (request bytes, socket to pass or None)
        self._pids: dict[Handle, int] = {}
        self._by_pid: dict[int, Handle] = {}
        self._selector.register(self._control, selectors.EVENT_READ, _CONTROL)

    def _launch(self, handle: Handle, work) -> None:
        try:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError as exc:
            del self._handles[work.name]
            raise WorkStartError(work.name, exc) from None
        request = {"op": "spawn", "name": work.name, "label": work.display_name or work.name, "path": list(work._lw_path)}
        if id(work) in self._known:
            request["known_as"] = self._known[id(work)]
        else:  # a work created after the app started: its object goes first on its own socket, any size
            from . import code_pickle
            from .worker import portable_copy

            handle.conn.queue(Adopt(base64.b64encode(code_pickle.dumps(portable_copy(work))).decode()))
        self.attach(handle, ours)
        self._send_control(request, theirs)

    def _kill(self, handle: Handle) -> None:
        handle.killed = True
        self._signal(handle, signal.SIGKILL)  # or as soon as its pid is known

    def _on_event(self, key, mask) -> None:
        if mask & selectors.EVENT_WRITE:
            self._flush_control()
        if mask & selectors.EVENT_READ:
            self._read_control()

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
                self._selector.modify(self._control, selectors.EVENT_READ | selectors.EVENT_WRITE, _CONTROL)
                return
            except OSError as exc:
                raise RuntimeError(f"the lightwork fork server ended unexpectedly ({exc.strerror})") from None
            self._control_outbox.popleft()
            if attached is not None:
                attached.close()
        self._selector.modify(self._control, selectors.EVENT_READ, _CONTROL)

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
                if handle is not None and handle not in self._pids:
                    self._pids[handle] = report["pid"]
                    self._by_pid[report["pid"]] = handle
                    if handle.killed:  # killed before it had a pid
                        self._signal(handle, signal.SIGKILL)
            elif report["op"] == "exited":
                handle = self._by_pid.pop(report["pid"], None)
                if handle is not None:
                    self._ended(handle, Exited(report["returncode"]))
            elif report["op"] == "failed":
                raise WorkStartError(report["name"], OSError(report["errno"], report["error"]))

    def _signal(self, handle: Handle, signum: int) -> None:
        pid = self._pids.get(handle)
        if pid is not None and not handle.ended:
            self._send_control({"op": "signal", "pid": pid, "signal": int(signum)})

    def _release(self) -> None:
        self._control.close()  # the fork server kills what is left and exits
        for _, attached in self._control_outbox:
            if attached is not None:
                attached.close()
        _wait_pid(self._server_pid, 2.0)


_CONTROL = object()  # the selector key of the fork server's socket


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
