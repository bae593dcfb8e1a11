"""Work stages, at the peer's import path (`WorkStageStatus`), and the key of a work's latest call in its state."""
from ..core.status import StatusInfo as WorkStatus  # noqa: F401 - the peer's name for the status record
from ..core.status import WorkStatus as WorkStageStatus



class CacheCallsKeys:
    """Keys of a work's `state["calls"]`: `LATEST_CALL_HASH` names the entry of its latest call."""

    LATEST_CALL_HASH = "latest_call_hash"


__all__ = ["CacheCallsKeys", "WorkStageStatus", "WorkStatus"]
