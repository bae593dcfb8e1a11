"""How works run: the runtime interface, the wire protocol and the process runtime."""
from .base import Runtime

__all__ = ["Runtime"]
