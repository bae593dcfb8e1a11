"""The component model: flows, works, state, deltas and call bookkeeping, with no I/O."""
from .compute import CloudCompute
from .flow import LightningFlow
from .state import pretty_state
from .status import InvalidTransition, StatusInfo, WorkStatus
from .work import LightningWork

__all__ = [
    "CloudCompute",
    "InvalidTransition",
    "LightningFlow",
    "LightningWork",
    "StatusInfo",
    "WorkStatus",
    "pretty_state",
]
