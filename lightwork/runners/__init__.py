"""`MultiProcessRuntime(app).dispatch()`: Lightning Apps' way to run an app from Python (its users' tests did)."""
from __future__ import annotations

import enum
import sys


class MultiProcessRuntime:
    """Runs `app` in this process, each work in its own process, until the app ends. Afterwards the app's
    flows and works hold its final state, every work that ran is stopped (status `stopped`), and `app.stage`
    is STOPPING, or FAILED when the app failed. Then, as Lightning Apps did, `dispatch()` returns 0, raises
    again the exception the flow's own code raised, or calls `sys.exit` with the exit code `lightwork run`
    would give (1 when a work failed)."""

    def __init__(self, app, start_server: bool = True, host: str = "127.0.0.1", port: int | None = None, **ignored) -> None:
        self.app, self.start_server, self.host, self.port = app, start_server, host, port

    def dispatch(self, *args, open_ui: bool = False, **kwargs) -> int:
        from ..app.loop import WorkFailed
        from ..runtime.base import WorkStartError

        code = self._run()
        _stop_statuses(self.app)
        error = self.app.exception
        if code and isinstance(error, Exception) and not isinstance(error, (WorkFailed, WorkStartError)):
            raise error  # its traceback was printed already, as `lightwork run` prints it
        if code:
            sys.exit(code)
        return 0

    def _run(self) -> int:
        """Run the app; its exit code (`app.stage` and `app.exception` tell how it ended)."""
        from ..cli.main import _serve_and_run
        from ..utilities.enum import AppStage

        self.app.stage, self.app.exception = AppStage.RUNNING, None
        code = _serve_and_run(self.app, self.host, self.port, no_ui=not self.start_server, token=None)
        if self.app.stage is AppStage.RUNNING:
            self.app.stage = AppStage.FAILED if code else AppStage.STOPPING
        return code


def _stop_statuses(app) -> None:
    """The app ended, so every work's process did: a work that ran shows `stopped` (what it ended as before
    stays in `statuses`)."""
    from ..core.status import StatusInfo, WorkStatus

    for work in app.works:
        if work.status.stage not in (WorkStatus.NOT_STARTED, WorkStatus.STOPPED):
            work._lw_status = StatusInfo(WorkStatus.STOPPED, "the app ended")
            work._lw_book.note(work._lw_status)


class SingleProcessRuntime(MultiProcessRuntime):
    """Lightning Apps ran every work in the app's process with this runtime; lightwork has no such mode, so
    it runs the app as MultiProcessRuntime does (each work in its own process)."""


class RuntimeType(enum.Enum):
    """Where Lightning Apps ran an app."""

    MULTIPROCESS = "multiprocess"
    CLOUD = "cloud"


__all__ = ["MultiProcessRuntime", "RuntimeType", "SingleProcessRuntime"]
