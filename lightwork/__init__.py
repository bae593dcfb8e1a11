"""lightwork: run apps of cooperating components (the Lightning App API), fast and locally or on Ray."""
from . import storage, structures
from .app.app import LightningApp
from .core import CloudCompute, LightningFlow, LightningWork, WorkStatus, pretty_state
from .core.build import BuildConfig

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
