"""LightningApp: the root flow plus how to run it."""
from __future__ import annotations

from ..core.flow import LightningFlow
from ..core.structures import Structure
from ..core.work import LightningWork
from ..utilities.enum import AppStage

WATCH_INTERVAL = 0.15  # seconds: how often an app that watches the loop is called while nothing changes


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
        self.stage = AppStage.RUNNING  # STOPPING or FAILED once MultiProcessRuntime.dispatch() has run it
        self.exception = None  # what made the app fail: the exception the flow raised, or a work's failure
        # Lightning Apps' name: True while `run_once` is a pass of the root flow (something changed), False
        # when the loop only comes round (an app that watches the loop, below).
        self._has_updated = True
        from ..utilities.app_helpers import _LightningAppRef

        _LightningAppRef.connect(self)  # components ask for "the current app" (Lightning Apps' _LightningAppRef)

    @property
    def state(self) -> dict:
        """The whole app's state tree."""
        return self.root.state

    @property
    def state_vars(self) -> dict:
        """The state tree with only the values (`root.state_vars`)."""
        return self.root.state_vars

    @property
    def state_with_changes(self) -> dict:
        """The same as `state` (Lightning Apps' name)."""
        return self.root.state_with_changes

    @property
    def flows(self) -> list:
        """The root flow and every flow below it."""
        return [self.root, *self.root.flows.values()]

    @property
    def works(self) -> list:
        """Every work of the app, in Lightning Apps' order (`root.works()`)."""
        return self.root.works(recurse=True)

    @property
    def named_works(self) -> list:
        """`[(work.name, work), ...]` for every work of the app."""
        return self.root.named_works(recurse=True)

    def get_component_by_name(self, component_name: str):
        """The flow or work named `component_name` (`root`, `root.child.w`, `root.pool.0`, `root.table.key`);
        ValueError for a name not starting with `root`, AttributeError naming the missing step."""
        parts = component_name.split(".")
        if parts[0] != "root":
            raise ValueError(f"Invalid component name {component_name}: a component's name starts with 'root' "
                             f"(root, root.child, root.pool.0)")
        current = self.root
        for step in parts[1:]:
            if isinstance(current, Structure):  # a List or Dict: its item named `step`
                child = dict(current._lw_items()).get(step)
            else:
                child = current._lw_children.get(step)
            if child is None:
                raise AttributeError(f"Component '{current.name}' has no child component with name '{step}'")
            current = child
        return current

    def run_once(self) -> bool:
        """One turn of the loop: runs the root flow if something changed (`_has_updated`); True ends the app.
        Subclasses (such as LightningTestApp) override it to watch the app."""
        if self._has_updated:
            self.root.run()
        return False

    @property
    def _lw_watch_interval(self) -> float | None:
        """Seconds between turns of the loop while nothing changes, for an app whose class overrides
        `run_once` (Lightning Apps' loop came round that often); None: turns only when something changed."""
        return WATCH_INTERVAL if type(self).run_once is not LightningApp.run_once else None


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
