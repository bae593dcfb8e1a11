"""JustPyFrontend: a flow's UI written with JustPy, run in a process of its own."""
from __future__ import annotations

import importlib.util
import sys

from .frontend import ProcessFrontend, module_function


class JustPyFrontend(ProcessFrontend):
    """`render_fn(get_state)` returns a JustPy page function; `get_state()` gives the flow's AppState."""

    def __init__(self, render_fn) -> None:
        super().__init__()
        self.render_fn = render_fn

    def start_server(self, host: str, port: int, root_path: str = "") -> None:
        if importlib.util.find_spec("justpy") is None:
            raise ImportError("JustPyFrontend needs JustPy: pip install justpy")
        path, name = module_function(self.render_fn, "JustPyFrontend's render_fn")
        code = ("import os, sys, justpy; from lightwork.frontend.loader import load_function; "
                "from lightwork.utilities.state import AppState; "
                "fn = load_function(os.environ['LIGHTWORK_RENDER_FILE'], os.environ['LIGHTWORK_RENDER_FUNCTION']); "
                "flow = os.environ['LIGHTWORK_FLOW']; "
                "justpy.justpy(fn(lambda: AppState(flow=flow)), host=sys.argv[1], port=int(sys.argv[2]), start_server=True)")
        self._spawn([sys.executable, "-c", code, host, str(port)],
                    {"LIGHTWORK_RENDER_FILE": path, "LIGHTWORK_RENDER_FUNCTION": name,
                     "LIGHTWORK_FLOW": self.flow.name if self.flow is not None else "root"})
