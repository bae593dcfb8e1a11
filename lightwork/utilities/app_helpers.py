"""`pretty_state`, at the peer's import path."""
from ..core.state import pretty_state
from .state import AppStatePlugin, BaseStatePlugin

__all__ = ["AppStatePlugin", "BaseStatePlugin", "pretty_state"]
