"""The app layer: LightningApp and the event loop that runs it."""
from .app import LightningApp

__all__ = ["LightningApp"]
