"""`is_running_in_cloud()` and the cloud helpers of `lightning.app.utilities.cloud` (refused: that cloud is gone)."""
from __future__ import annotations

import os

from ._refusal import refuse

__all__ = ["is_running_in_cloud", "_get_project"]


def is_running_in_cloud() -> bool:
    """False under lightwork, which runs apps locally and on Ray; True only where LAI_RUNNING_IN_CLOUD=1 says so
    (as Lightning Apps read it), so components can be tested on their cloud branch."""
    return os.environ.get("LAI_RUNNING_IN_CLOUD", "0") not in ("", "0")


def _get_project(*args, **kwargs):
    refuse("lightning.app.utilities.cloud._get_project", "it looked up a project on the Lightning AI cloud")
