"""Work stages and the transitions allowed between them."""
from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field


class WorkStatus(str, enum.Enum):
    """The stage of a work's latest call; compares equal to its string value."""

    NOT_STARTED = "not_started"
    STARTED = "started"  # work.start() started its process; no call yet
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STOPPED = "stopped"

    def __str__(self) -> str:
        return self.value


_ALLOWED = {
    WorkStatus.NOT_STARTED: {WorkStatus.STARTED, WorkStatus.PENDING, WorkStatus.STOPPED},
    WorkStatus.STARTED: {WorkStatus.PENDING, WorkStatus.FAILED, WorkStatus.STOPPED},
    WorkStatus.PENDING: {WorkStatus.RUNNING, WorkStatus.FAILED, WorkStatus.STOPPED},
    WorkStatus.RUNNING: {WorkStatus.SUCCEEDED, WorkStatus.FAILED, WorkStatus.STOPPED},
    WorkStatus.SUCCEEDED: {WorkStatus.PENDING, WorkStatus.STOPPED},
    WorkStatus.FAILED: {WorkStatus.STARTED, WorkStatus.PENDING, WorkStatus.STOPPED},
    WorkStatus.STOPPED: {WorkStatus.STARTED, WorkStatus.PENDING},
}


class InvalidTransition(RuntimeError):
    """A status change that the work lifecycle does not allow."""


def check_transition(old: WorkStatus, new: WorkStatus) -> None:
    """Raise InvalidTransition unless a work may go from `old` to `new`."""
    if new not in _ALLOWED[old]:
        raise InvalidTransition(f"a work cannot go from {old.value!r} to {new.value!r}")


@dataclass(frozen=True)
class StatusInfo:
    """What `work.status` returns: the stage, why (a message, and a reason for some), and when it was entered."""

    stage: WorkStatus = WorkStatus.NOT_STARTED
    message: str = ""
    timestamp: float = field(default_factory=time.time)
    reason: str | None = None  # a WorkStopReasons / WorkFailureReasons value, when one applies

    def to_dict(self) -> dict:
        entry = {"stage": self.stage.value, "message": self.message, "timestamp": self.timestamp}
        if self.reason:
            entry["reason"] = self.reason
        return entry

    @classmethod
    def from_dict(cls, entry: dict) -> "StatusInfo":
        """The StatusInfo `to_dict` described."""
        return cls(WorkStatus(entry["stage"]), entry.get("message") or "", entry.get("timestamp", 0.0), entry.get("reason"))
