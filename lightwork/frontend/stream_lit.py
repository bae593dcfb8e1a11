"""StreamlitFrontend: a flow's UI written with Streamlit, run as a real `streamlit run` server."""
from __future__ import annotations

import importlib.util
import os
import sys

from .frontend import ProcessFrontend, module_function


class StreamlitFrontend(ProcessFrontend):
    """`render_fn(state)` draws the page; `state` is an AppState of the flow: reading it shows the flow's
    state, setting an attribute changes it in the app. The page reruns when the flow's state changes."""

    def __init__(self, render_fn) -> None:
        super().__init__()
        self.render_fn = render_fn
        module_function(render_fn, "StreamlitFrontend's render_fn")  # refuse a lambda now, not when it starts

    def start_server(self, host: str, port: int, root_path: str = "") -> None:
        if importlib.util.find_spec("streamlit") is None:
            raise ImportError("StreamlitFrontend needs Streamlit: pip install 'lightwork[streamlit]'")
        path, name = module_function(self.render_fn, "StreamlitFrontend's render_fn")
        script = os.path.join(os.path.dirname(__file__), "streamlit_base.py")
        self._spawn(
            [sys.executable, "-m", "streamlit", "run", script, "--server.address", host, "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             "--server.baseUrlPath", root_path.strip("/"), "--global.developmentMode", "false"],
            {"LIGHTWORK_RENDER_FILE": path, "LIGHTWORK_RENDER_FUNCTION": name,
             "LIGHTWORK_FLOW": self.flow.name if self.flow is not None else "root"},
        )
