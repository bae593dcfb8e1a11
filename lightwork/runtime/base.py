"""The runtime interface: how the app loop starts works, talks to them and stops them."""
from __future__ import annotations

import abc


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

    @abc.abstractmethod
    def stop(self, name: str, grace: float) -> None:
        """Ask the work to stop; kill it if it has not ended after `grace` seconds. Returns at once."""

    @abc.abstractmethod
    def shutdown(self, grace: float) -> None:
        """Stop every work (graceful for up to `grace` seconds, then killed) and release everything."""
