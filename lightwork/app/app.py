"""LightningApp: the root flow plus how to run it."""
from __future__ import annotations

from ..core.flow import LightningFlow
from ..core.work import LightningWork


class LightningApp:
    """Wraps the root flow; `lightwork run app.py` finds this object in the app file and runs it.

    A work as the root is wrapped in a flow that runs it once, stops it, and ends the app (as Lightning Apps did).
    """

    def __init__(self, root, flow_cloud_compute=None, log_level: str = "info", info=None, root_path: str = "") -> None:
        if isinstance(root, LightningWork):
            root = _RootFlow(root)
        if not isinstance(root, LightningFlow):
            raise TypeError(f"LightningApp needs a LightningFlow (or a LightningWork) as its root, not {type(root).__name__}")
        self.root = root
        self.flow_cloud_compute = flow_cloud_compute
        self.log_level = log_level
        self.info = info
        self.root_path = root_path
        from ..utilities.app_helpers import _LightningAppRef

        _LightningAppRef.connect(self)  # components ask for "the current app" (Lightning Apps' _LightningAppRef)

    @property
    def state(self) -> dict:
        """The whole app's state tree."""
        return self.root.state

    def run_once(self) -> bool:
        """One pass of the root flow; True ends the app (subclasses, such as LightningTestApp, decide when)."""
        self.root.run()
        return False

    _lw_idle_tick: float | None = None  # seconds between `_lw_on_idle_tick` calls while no pass is due

    def _lw_on_idle_tick(self) -> bool:
        """Called every `_lw_idle_tick` seconds while nothing changes (no pass runs); True ends the app."""
        return False


class _RootFlow(LightningFlow):
    """The flow around a work given as the app's root: runs it until it succeeds, then ends the app."""

    def __init__(self, work: LightningWork) -> None:
        super().__init__()
        self.work = work

    def run(self) -> None:
        if self.work.has_succeeded:
            self.work.stop()
            self.stop()
        self.work.run()

    def configure_layout(self):
        if type(self.work).configure_layout is not LightningWork.configure_layout:
            return [{"name": "Main", "content": self.work}]
        return []
