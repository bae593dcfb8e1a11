"""Work stages and the other names of `lightning.app.utilities.enum`, with the values Lightning Apps gave them."""
from __future__ import annotations

import enum
import time

from ..core.status import StatusInfo as WorkStatus  # noqa: F401 - Lightning Apps' name for the status record
from ..core.status import WorkStatus as WorkStageStatus

__all__ = ["AppStage", "CacheCallsKeys", "ComponentContext", "OpenAPITags", "WorkFailureReasons", "WorkPendingReason",
           "WorkStageStatus", "WorkStatus", "WorkStopReasons", "make_status"]


class ComponentContext(enum.Enum):
    """Which side of an app a process runs."""

    FLOW = "flow"
    WORK = "work"
    FRONTEND = "frontend"


class AppStage(enum.Enum):
    BLOCKING = "blocking"
    RUNNING = "running"
    RESTARTING = "restarting"
    STOPPING = "stopping"
    FAILED = "failed"


class WorkFailureReasons:
    """Values of a failed status's `reason`."""

    TIMEOUT = "timeout"
    SPOT_RETRIVAL = "spot_retrival"  # Lightning Apps' spelling, kept so values compare equal
    USER_EXCEPTION = "user_exception"
    INVALID_RETURN_VALUE = "invalid_return_value"


class WorkStopReasons:
    """Values of a stopped status's `reason`."""

    SIGTERM_SIGNAL_HANDLER = "sigterm_signal_handler"
    PENDING = "pending"


class WorkPendingReason(enum.Enum):
    IMAGE_BUILDING = "image_building"
    REQUESTING_RESOURCE = "requesting_ressource"  # Lightning Apps' spelling


class CacheCallsKeys:
    LATEST_CALL_HASH = "latest_call_hash"


class OpenAPITags:
    APP_CLIENT_COMMAND = "app_client_command"
    APP_COMMAND = "app_command"
    APP_API = "app_api"


def make_status(stage: str, message: str | None = None, reason: str | None = None) -> dict:
    """A status record as a dict: `stage` and `timestamp` (seconds since the epoch), and `message` and
    `reason` when given."""
    status = {"stage": str(stage), "timestamp": time.time()}
    if message:
        status["message"] = message
    if reason:
        status["reason"] = reason
    return status
