"""PanelFrontend: a flow's UI written with Panel, run as a real `panel serve` server."""
from __future__ import annotations

import importlib.util
import os
import sys

from .frontend import ProcessFrontend, module_function


class PanelFrontend(ProcessFrontend):
    """`entry_point` is a Panel script file, or a top-level function `fn(state)` returning a Panel object."""

    def __init__(self, entry_point) -> None:
        super().__init__()
        self.entry_point = entry_point

    def start_server(self, host: str, port: int, root_path: str = "") -> None:
        if importlib.util.find_spec("panel") is None:
            raise ImportError("PanelFrontend needs Panel: pip install panel")
        env = {"LIGHTWORK_FLOW": self.flow.name if self.flow is not None else "root"}
        if isinstance(self.entry_point, str):
            script = os.path.abspath(self.entry_point)
        else:
            env["LIGHTWORK_RENDER_FILE"], env["LIGHTWORK_RENDER_FUNCTION"] = module_function(self.entry_point, "PanelFrontend's entry_point")
            script = os.path.join(os.path.dirname(__file__), "panel_base.py")
        self._spawn([sys.executable, "-m", "panel", "serve", script, "--address", host, "--port", str(port),
                     "--allow-websocket-origin", "*"], env)
