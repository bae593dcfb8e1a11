"""Containers of flows and works: `List` and `Dict`."""
from .core.structures import Dict, List

__all__ = ["Dict", "List"]
