"""A single-threaded process, forked from the app before any thread starts, that forks the work processes.

Forking from here is safe (no threads) and cheap (the app is already imported); the children share its
memory copy-on-write. Requests arrive on a SOCK_SEQPACKET socket, each with the work's socket attached.
"""
from __future__ import annotations

import base64
import gc
import json
import os
import select
import shutil
import signal
import socket
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> None:
    """Linux prctl(2); does nothing where it is not available."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent (the fork server) ends."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _signal_group(pid: int, signum: int) -> None:
    """Signal a work and the processes it started (its process group)."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def send(sock: socket.socket, message: dict, fds: list | None = None) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.send(data)


def serve(control: socket.socket, works: dict, cleanup: list, preload_storage: bool = False) -> None:
    """Fork a work process per `spawn` request until the control socket closes (the app ended, even by
    SIGKILL); then kill the works and remove the `cleanup` folders."""
    os.setsid()  # a terminal's Ctrl+C reaches the app, which stops the works itself
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # processes a work started and left stay below us, to be ended
    from . import output, protocol, worker  # noqa: F401 - imported once here, shared by every work

    if preload_storage:  # so a work's first Drive call costs what its second does
        import fsspec

        fsspec.filesystem("file")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler: a SIGTERM ends the fork server
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    for work in works.values():
        worker.fast_class(type(work))
    gc.freeze()  # keep the shared pages shared in the children
    gc.disable()  # a collection here would only touch pages the last fork shared (works turn it back on)
    children: dict[int, str] = {}
    try:
        _serve_requests(control, works, children, wake_read, wake_write)
    except OSError:  # the app is gone mid-exchange: end everything as if it had closed the socket
        pass
    for pid in children:
        _signal_group(pid, signal.SIGKILL)
    _end_descendants()
    for folder in cleanup:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(0)


def _serve_requests(control: socket.socket, works: dict, children: dict, wake_read: int, wake_write: int) -> None:
    """Answer spawn and signal requests until the app closes the control socket."""
    while True:
        try:
            ready, _, _ = select.select([control, wake_read], [], [])
        except InterruptedError:
            continue
        if wake_read in ready:
            os.read(wake_read, 4096)
            _reap(control, children)
        if control in ready:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)  # requests are small: objects go on work sockets
            if not data:
                return
            request = json.loads(data)
            if request["op"] == "spawn":
                try:
                    pid = os.fork()
                except OSError as exc:  # a limit of the machine: the app reports it and ends
                    send(control, {"op": "failed", "name": request["name"], "errno": exc.errno, "error": exc.strerror})
                    pid = None
                if pid == 0:
                    control.close()
                    os.close(wake_read)
                    os.close(wake_write)
                    _run_work(request, fds[0], works)
                for fd in fds:
                    os.close(fd)
                if pid is not None:
                    children[pid] = request["name"]
                    send(control, {"op": "spawned", "name": request["name"], "pid": pid})
            elif request["op"] == "signal" and request["pid"] in children:
                _signal_group(request["pid"], request["signal"])


def _end_descendants() -> None:
    """Kill and reap every process left below this one (works, and what they started), then return."""
    import time

    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # nothing left below us
        if pid == 0:
            for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
                if entry.isdigit() and _parent_of(int(entry)) == os.getpid():
                    try:
                        os.kill(int(entry), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            time.sleep(0.005)


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _reap(control: socket.socket, children: dict) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        name = children.pop(pid, None)
        if name is not None:
            _signal_group(pid, signal.SIGKILL)  # what the work started ends with it
            send(control, {"op": "exited", "name": name, "pid": pid, "returncode": os.waitstatus_to_exitcode(status)})


def _run_work(request: dict, fd: int, works: dict) -> None:
    """In the new child: become the work's process. Never returns."""
    code = 1
    try:
        gc.enable()  # off in the fork server only
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.setpgid(0, 0)  # its own group, so stopping it also stops what it started
        die_with_parent()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # works do not read the terminal: the app's user types to the app
        os.close(devnull)
        from .output import PrefixedLines, open_work_log
        from .protocol import Connection
        from .worker import WorkProcess

        log = open_work_log(request["name"])
        prefix = f"{request.get('label') or request['name']} | "  # its display_name, if it has one
        sys.stdout = PrefixedLines(1, prefix, log)
        sys.stderr = PrefixedLines(2, prefix, log)
        conn, early = Connection(socket.socket(fileno=fd)), []
        if "known_as" in request:
            work = works[request["known_as"]]
        else:  # created while the app ran: the object is the first message on our socket
            import cloudpickle

            early = conn.recv()
            if early is None:  # the app is gone
                return
            work = cloudpickle.loads(base64.b64decode(early.pop(0).blob))
        object.__setattr__(work, "_lw_name", request["name"])
        object.__setattr__(work, "_lw_path", tuple(request["path"]))
        WorkProcess(work, conn, early).serve()
    except BaseException:  # noqa: BLE001 - report whatever stopped the work before it could serve
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
