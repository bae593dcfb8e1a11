"""The page `streamlit run` executes for a ServeStreamlit work: its `render()`, with `self` reading the work's state.

The work's process sets LIGHTWORK_SERVE_FILE and LIGHTWORK_SERVE_CLASS (where the class is) and
LIGHTWORK_SERVE_COMPONENT (the work's name); LIGHTWORK_APP_URL says where the app's state API is.
"""
import inspect
import os
import sys


def _work_class():
    from lightwork import compat
    from lightwork.frontend.loader import load_function

    compat.install()
    return load_function(os.environ["LIGHTWORK_SERVE_FILE"], os.environ["LIGHTWORK_SERVE_CLASS"])


class _PatchedWork:
    """Stands in for the work inside the page: state attributes come from the app, methods from the class."""

    def __init__(self, state, work_class) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_work_class", work_class)

    def __getattr__(self, name):
        state = object.__getattribute__(self, "_state")
        if state is not None:
            try:
                return getattr(state, name)
            except AttributeError:
                pass
        attribute = inspect.getattr_static(self._work_class, name)
        if isinstance(attribute, (staticmethod, classmethod, property)) or callable(attribute):
            return attribute.__get__(self, self._work_class)
        return attribute

    def __setattr__(self, name, value) -> None:
        if self._state is not None and not name.startswith("_") and hasattr(self._state, name):
            setattr(self._state, name, value)
        else:
            object.__setattr__(self, name, value)


def _work_state():
    from lightwork.utilities.state import AppState

    try:
        state = AppState()
        for part in os.environ["LIGHTWORK_SERVE_COMPONENT"].split(".")[1:]:
            state = getattr(state, part)
        return state
    except Exception:  # no state API (the app runs with --no-ui): the page has the class only
        return None


def main() -> None:
    import streamlit as st

    work = _PatchedWork(_work_state(), _work_class())
    if "_model" not in st.session_state:
        with st.spinner("Building the model..."):
            st.session_state["_model"] = work.build_model()
    object.__setattr__(work, "_model", st.session_state["_model"])
    work.render()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.environ.get("LIGHTWORK_SERVE_FILE", "")))
    main()
