"""The `lightwork` command. Importing it loads click and nothing heavy."""
from .main import main

__all__ = ["main"]
