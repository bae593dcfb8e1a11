"""The runtime interface: how the app loop starts works, talks to them and stops them."""
from __future__ import annotations

import abc
import errno
import resource


class WorkStartError(RuntimeError):
    """A work's process could not be started: an operating-system limit was reached (the message names it)."""

    def __init__(self, name: str, error: OSError) -> None:
        super().__init__(f"cannot start work {name}: {_limit_hint(error)}")
        self.work_name = name


def _limit_hint(error: OSError) -> str:
    code = error.errno
    if code in (errno.EMFILE, errno.ENFILE):
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return (f"the open-files limit ({soft}) is reached; every work needs one in the app's process: "
                f"raise it (`ulimit -n` in the shell that runs lightwork, or the system's limits)")
    if code == errno.EAGAIN:
        return ("the process or thread limit is reached (`ulimit -u`, kernel.threads-max, or the container's "
                "pids limit): raise it or run fewer works")
    if code == errno.ENOMEM:
        return "the machine is out of memory: run fewer works or give them more memory"
    return f"{error.strerror or error}"


class Runtime(abc.ABC):
    """Runs works somewhere. Messages are the dataclasses of `lightwork.runtime.protocol`."""

    @abc.abstractmethod
    def start(self, work) -> None:
        """Start a process (or actor) for `work`; messages may be sent to it at once."""

    @abc.abstractmethod
    def is_alive(self, name: str) -> bool:
        """Whether the work called `name` has a process that has not exited."""

    @abc.abstractmethod
    def send(self, name: str, message) -> None:
        """Send a Call or an Update to a started work."""

    @abc.abstractmethod
    def receive(self, timeout: float | None) -> list:
        """Wait up to `timeout` seconds (None: forever) for messages; return `[(work name, message), ...]`."""

    def node_address(self, name: str) -> str | None:
        """The address other machines reach the work `name` at, for a runtime that places works on other
        machines: "" until the work is placed; None (the default) when works run on the app's machine."""
        return None

    def wake(self) -> None:
        """From any thread: make a `receive` that is waiting return now (runtimes whose receive blocks override)."""

    @abc.abstractmethod
    def stop(self, name: str, grace: float) -> None:
        """Ask the work to stop; kill it if it has not ended after `grace` seconds. Returns at once."""

    @abc.abstractmethod
    def shutdown(self, grace: float) -> None:
        """Stop every work (graceful for up to `grace` seconds, then killed) and release everything."""
