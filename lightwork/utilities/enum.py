"""Work stages, at the peer's import path (`WorkStageStatus`)."""
from ..core.status import StatusInfo as WorkStatus  # noqa: F401 - the peer's name for the status record
from ..core.status import WorkStatus as WorkStageStatus

__all__ = ["WorkStageStatus", "WorkStatus"]
