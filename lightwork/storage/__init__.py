"""Passing objects (Payload), shared folders (Drive) and file references (Path) between components."""
from .drive import Drive
from .filesystem import FileSystem
from .mount import Mount
from .path import Path
from .payload import Payload

__all__ = ["Drive", "FileSystem", "Mount", "Path", "Payload"]
