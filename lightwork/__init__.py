"""lightwork: run apps of cooperating components (the Lightning App API), fast and locally or on Ray."""
from ._interrupts import guard_command_start as _guard_command_start

_guard_command_start()  # first: a Ctrl+C while the `lightwork` command imports exits 130 quietly

from . import storage, structures  # noqa: E402
from .app.app import LightningApp  # noqa: E402
from .core import CloudCompute, LightningFlow, LightningWork, WorkStatus, pretty_state  # noqa: E402
from .core.build import BuildConfig  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "BuildConfig",
    "CloudCompute",
    "LightningApp",
    "LightningFlow",
    "LightningWork",
    "WorkStatus",
    "pretty_state",
    "storage",
    "structures",
]
