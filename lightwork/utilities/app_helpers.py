"""`pretty_state`, at the peer's import path."""
from ..core.state import pretty_state

__all__ = ["pretty_state"]
