"""The script `panel serve` runs for a PanelFrontend whose entry point is a function.

Each browser session gets an AppState scoped to the flow (LIGHTWORK_FLOW) and the view `render_fn(state)`
returns (`render_fn()` when it takes no argument); the view is drawn again when the flow's state changes.
The function is imported from LIGHTWORK_RENDER_FILE once per process (kept in `pn.state.cache`).
Panel runs this file as a module named `bokeh_app_<id>`, with this file's folder first on sys.path.
"""
from __future__ import annotations

import inspect
import logging
import os
import sys
import threading

from lightwork.utilities.state import AppState, AppStatePlugin  # absolute: Panel runs this file as a script

_HERE = os.path.dirname(os.path.abspath(__file__))
_CACHE_KEY = "lightwork_render_fn"
logger = logging.getLogger(__name__)


def render_function():
    import panel as pn

    fn = pn.state.cache.get(_CACHE_KEY)
    if fn is None:
        from lightwork.frontend.loader import load_function

        fn = pn.state.cache[_CACHE_KEY] = load_function(os.environ["LIGHTWORK_RENDER_FILE"], os.environ["LIGHTWORK_RENDER_FUNCTION"])
    return fn


class PanelStatePlugin(AppStatePlugin):
    """Draws one session's view again (on the session's document, as Bokeh requires) when the state changes;
    a burst of changes gives one redraw."""

    def __init__(self, document, redraw) -> None:
        super().__init__()
        self._document, self._redraw = document, redraw
        self._lock = threading.Lock()
        self._scheduled = False

    def on_state_changed(self, delta) -> None:
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self._document.add_next_tick_callback(self._run)  # the one Document method safe from another thread
        except Exception:  # noqa: BLE001 - the session is gone
            with self._lock:
                self._scheduled = False

    def _run(self) -> None:
        with self._lock:
            self._scheduled = False
        self._redraw()


def main() -> None:
    import panel as pn

    while _HERE in sys.path:  # so the app's imports never find lightwork/frontend/*.py by their short names
        sys.path.remove(_HERE)
    fn = render_function()
    takes_state = bool(inspect.signature(fn).parameters)
    holder = pn.Column(sizing_mode="stretch_width")

    def draw() -> None:
        try:
            view = fn(state) if takes_state else fn()
        except Exception as exc:  # noqa: BLE001 - shown on the page, as Panel shows a script's error
            logger.exception("the render function failed")
            view = pn.pane.Alert(f"The render function failed: {type(exc).__name__}: {exc}", alert_type="danger")
        holder.objects = [pn.panel(view)]

    document = pn.state.curdoc
    state = AppState(flow=os.environ.get("LIGHTWORK_FLOW", "root"), plugin=PanelStatePlugin(document, draw))
    pn.state.on_session_destroyed(lambda session_context: state.close())
    draw()
    holder.servable()


if __name__.startswith("bokeh_app_"):  # run by `panel serve`, once per session
    main()
