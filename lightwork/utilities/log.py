"""Log file paths for frontends, at Lightning Apps' path (`lightning.app.utilities.log`)."""
from __future__ import annotations

import pathlib

__all__ = ["get_frontend_logfile", "get_logfile"]


def get_logfile(filename: str = "logs.log") -> pathlib.Path:
    """`<storage root dir>/frontend/<filename>` (the folder is made); see `storage.path._storage_root_dir`."""
    from ..storage.path import _storage_root_dir

    folder = _storage_root_dir() / "frontend"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def get_frontend_logfile(filename: str = "frontend.log") -> pathlib.Path:
    return get_logfile(filename)
