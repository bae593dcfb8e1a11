"""LightningApp: the root flow plus how to run it."""
from __future__ import annotations

from ..core.flow import LightningFlow


class LightningApp:
    """Wraps the root flow; `lightwork run app.py` finds this object in the app file and runs it."""

    def __init__(self, root: LightningFlow, flow_cloud_compute=None, log_level: str = "info", info=None, root_path: str = "") -> None:
        if not isinstance(root, LightningFlow):
            raise TypeError(f"LightningApp needs a LightningFlow as its root, not {type(root).__name__}")
        self.root = root
        self.flow_cloud_compute = flow_cloud_compute
        self.log_level = log_level
        self.info = info
        self.root_path = root_path

    @property
    def state(self) -> dict:
        """The whole app's state tree."""
        return self.root.state
