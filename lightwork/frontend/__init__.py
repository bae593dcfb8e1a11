"""Frontends a flow can show in the app's layout (`configure_layout`)."""
from .frontend import Frontend
from .just_py import JustPyFrontend
from .panel import PanelFrontend
from .stream_lit import StreamlitFrontend
from .web import StaticWebFrontend

__all__ = ["Frontend", "JustPyFrontend", "PanelFrontend", "StaticWebFrontend", "StreamlitFrontend"]
