"""`MultiProcessRuntime(app).dispatch()`: Lightning Apps' way to run an app from Python (its users' tests did)."""
from __future__ import annotations

import enum


class MultiProcessRuntime:
    """Runs `app` in this process, each work in its own process, until the app ends; `dispatch()` returns the
    exit code `lightwork run` would give (0 when the flow stopped it, 1 when it failed). Afterwards the app's
    flows and works hold its final state."""

    def __init__(self, app, start_server: bool = True, host: str = "127.0.0.1", port: int | None = None, **ignored) -> None:
        self.app, self.start_server, self.host, self.port = app, start_server, host, port

    def dispatch(self, *args, open_ui: bool = False, **kwargs) -> int:
        from ..cli.main import _serve_and_run

        return _serve_and_run(self.app, self.host, self.port, no_ui=not self.start_server, token=None)


class SingleProcessRuntime(MultiProcessRuntime):
    """Lightning Apps ran every work in the app's process with this runtime; lightwork has no such mode, so
    it runs the app as MultiProcessRuntime does (each work in its own process)."""


class RuntimeType(enum.Enum):
    """Where Lightning Apps ran an app."""

    MULTIPROCESS = "multiprocess"
    CLOUD = "cloud"


__all__ = ["MultiProcessRuntime", "RuntimeType", "SingleProcessRuntime"]
