"""The Frontend interface: a UI a flow shows in the app's layout, served on its own host and port."""
from __future__ import annotations

import abc
import os
import signal
import subprocess
import sys
import threading


class Frontend(abc.ABC):
    """A UI for one flow (`self.flow`, set when the app collects its layout)."""

    def __init__(self) -> None:
        self.flow = None

    @abc.abstractmethod
    def start_server(self, host: str, port: int, root_path: str = "") -> None:
        """Start serving at `host`:`port` and return at once."""

    @abc.abstractmethod
    def stop_server(self) -> None:
        """Stop the server started by `start_server`."""


class ProcessFrontend(Frontend):
    """A frontend whose server is a process of its own (Streamlit, Panel, ...), ended with the app."""

    _process: subprocess.Popen | None = None

    def _spawn(self, command: list, env: dict) -> None:
        from ..runtime.forkserver import die_with_parent

        from ..runtime.output import LOG_DIR_VARIABLE

        # Its own chatter goes to a log beside the works' (the app's output stays the flows' and works' own).
        folder = os.environ.get(LOG_DIR_VARIABLE)
        name = f"frontend-{self.flow.name if self.flow is not None else 'root'}-{type(self).__name__}.txt"
        log = os.path.join(folder, name) if folder else None
        output = open(log, "ab") if log else subprocess.DEVNULL
        self._process = subprocess.Popen(
            command, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True,
            preexec_fn=die_with_parent,  # start_server runs in the app's main thread: it outlives the child
        )
        if log:
            output.close()
        threading.Thread(target=self._report_exit, args=(self._process, log), name="lightwork-frontend-watch", daemon=True).start()

    def _report_exit(self, process: subprocess.Popen, log: str | None) -> None:
        """Say in one line when the server ends while the app still wants it (it failed to start, or crashed)."""
        code = process.wait()
        if self._process is not process:  # stopped by stop_server
            return
        last = ""
        try:
            with open(log, "rb") as handle:  # noqa: PTH123 - a None log is refused here too (TypeError)
                lines = [line.strip() for line in handle.read()[-8192:].decode(errors="replace").splitlines() if line.strip()]
            last = f": {lines[-1]}" if lines else ""
        except (OSError, TypeError):  # no log kept, or the app is ending and removed it
            pass
        who = f"{type(self).__name__} of {self.flow.name if self.flow is not None else 'root'}"
        print(f"lightwork: the {who} stopped (exit code {code}){last}", file=sys.stderr, flush=True)

    def stop_server(self) -> None:
        """Stop the server; RuntimeError if it was never started (stopping it again does nothing)."""
        if "_process" not in vars(self):
            raise RuntimeError(f"{type(self).__name__}.stop_server(): the server is not running; call start_server() first")
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        for signum, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, signum)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def module_function(fn, what: str) -> tuple[str, str]:
    """(the file defining `fn`, its name) for a function another process can load by importing that file."""
    name = getattr(fn, "__qualname__", "")
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    path = getattr(module, "__file__", None)
    if not callable(fn) or not name or "<" in name or "." in name or path is None:
        raise TypeError(f"{what} must be a function defined at the top level of a file (not a lambda, method or "
                        f"nested function): it runs in a process of its own, which imports it by name")
    return os.path.abspath(path), name
