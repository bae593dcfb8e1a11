"""The script `streamlit run` executes for a StreamlitFrontend: it calls the flow's `render_fn(state)`.

The StreamlitFrontend process has LIGHTWORK_RENDER_FILE and LIGHTWORK_RENDER_FUNCTION (where render_fn is),
LIGHTWORK_FLOW (the flow it shows) and LIGHTWORK_APP_URL / LIGHTWORK_TOKEN (where the app is).

Streamlit runs this file afresh on each run of each session, as a module named `__main__`; what must last
(the render function, imported once per process, and each session's AppState) lives in this module imported
under its own name. Each session has an AppState scoped to the flow; when the flow's state changes, its
websocket thread asks Streamlit to rerun that session (as Streamlit's own file watcher does), keeping
the widgets' values, and never cutting short a run that is under way (which may be a button's click).
"""
from __future__ import annotations

import concurrent.futures
import logging
import os
import sys
import threading
import time

from lightwork.utilities.state import AppState, AppStateError, AppStatePlugin  # absolute: this file also runs as __main__

RERUN_INTERVAL = 0.2  # seconds between reruns of a session, at least: a burst of changes gives one rerun
RETRY_INTERVAL = 0.1  # seconds between tries while the session's script is running
GONE_AFTER = 10.0  # seconds a session may be disconnected before its AppState is closed

_HERE = os.path.dirname(os.path.abspath(__file__))
_lock = threading.Lock()
_render_fn = None
_states: dict = {}  # Streamlit session id -> its AppState
logger = logging.getLogger(__name__)


def render_function():
    """The flow's render function, imported from the app's file once per process."""
    global _render_fn
    with _lock:
        if _render_fn is None:
            from lightwork.frontend.loader import load_function

            _render_fn = load_function(os.environ["LIGHTWORK_RENDER_FILE"], os.environ["LIGHTWORK_RENDER_FUNCTION"])
        return _render_fn


def _session_id() -> str | None:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover - older layouts
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _state_for(session_id: str | None):
    """This session's AppState (made on its first run, and again if it was closed)."""
    with _lock:
        state = _states.get(session_id)
        if state is None or state._closed:
            plugin = StreamlitStatePlugin(session_id) if session_id is not None else AppStatePlugin()
            state = AppState(flow=os.environ.get("LIGHTWORK_FLOW", "root"), plugin=plugin)
            if session_id is not None:
                plugin.start(state)
            _states[session_id] = state
        return state


def main() -> None:
    import streamlit as st

    while _HERE in sys.path:  # Streamlit puts the script's folder first: `import panel` would find ours
        sys.path.remove(_HERE)
    render = render_function()
    state = _state_for(_session_id())
    try:
        render(state)
    except AppStateError as exc:
        if exc.status in (401, 403):
            st.stop()  # the plugin said so on the page
        raise


# -- the plugin: rerun the session when the flow's state changes ---------------------------------------------
class StreamlitStatePlugin(AppStatePlugin):
    """Reruns one Streamlit session when the state under its AppState's flow changes."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self._changed = threading.Event()
        self._state = None
        self._thread: threading.Thread | None = None

    def start(self, state) -> None:
        self._state = state
        self._thread = threading.Thread(target=self._run, name=f"lightwork-rerun-{self.session_id}", daemon=True)
        self._thread.start()

    def on_state_changed(self, delta) -> None:
        self._changed.set()

    def render_non_authorized(self) -> None:
        import streamlit as st

        st.error("The app refused this page's token: it cannot read the app's state (see LIGHTWORK_TOKEN).")

    def _run(self) -> None:
        last_rerun = 0.0
        gone_since = None
        while not self._state._closed:
            changed = self._changed.wait(1.0)
            if not self._session_active():
                gone_since = gone_since or time.monotonic()
                if time.monotonic() - gone_since > GONE_AFTER:
                    break  # the browser went away: the next run (if it comes back) makes a new AppState
                time.sleep(1.0)  # changes may keep coming meanwhile: no rerun, and no busy loop
                continue
            gone_since = None
            if not changed:
                continue
            pause = last_rerun + RERUN_INTERVAL - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._changed.clear()
            if self._rerun():
                last_rerun = time.monotonic()
            else:
                self._changed.set()  # a run is under way: rerun after it
                time.sleep(RETRY_INTERVAL)
        with _lock:
            if _states.get(self.session_id) is self._state:
                del _states[self.session_id]
        self._state.close()

    def _session_active(self) -> bool:
        from streamlit import runtime

        return runtime.exists() and runtime.get_instance().is_active_session(self.session_id)

    def _rerun(self) -> bool:
        """Ask the session for a rerun, on its event loop, unless a script run is under way there."""
        session = _app_session(self.session_id)
        if session is None:
            return False
        done: concurrent.futures.Future = concurrent.futures.Future()

        def attempt() -> None:
            try:
                if getattr(session, "_scriptrunner", None) is not None:
                    done.set_result(False)  # running (perhaps a click's run): do not cut it short
                    return
                session.request_rerun(getattr(session, "_client_state", None))  # the widgets keep their values
                done.set_result(True)
            except Exception as exc:  # noqa: BLE001
                done.set_exception(exc)

        loop = getattr(session, "_event_loop", None)
        try:
            if loop is None:
                attempt()
            else:
                loop.call_soon_threadsafe(attempt)
            return done.result(timeout=10)
        except Exception:  # noqa: BLE001 - the session went away meanwhile
            logger.debug("rerun of session %s failed", self.session_id, exc_info=True)
            return False


def _app_session(session_id: str):
    """The AppSession of `session_id` (None when it is not connected): Runtime.get_app_session where it
    exists (newer Streamlit), else the session manager's record."""
    from streamlit import runtime

    if not runtime.exists():
        return None
    instance = runtime.get_instance()
    if hasattr(instance, "get_app_session"):
        return instance.get_app_session(session_id)
    info = instance._session_mgr.get_active_session_info(session_id)
    return info.session if info is not None else None


if __name__ == "__main__":  # run by Streamlit: use this module's lasting copy
    from lightwork.frontend import streamlit_base as _lasting

    _lasting.main()
