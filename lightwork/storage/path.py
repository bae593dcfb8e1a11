"""Path: a `lit://` file reference that travels between works, and a drop-in for `pathlib.Path`.

`Path("lit://data/out.csv")` is the local path `data/out.csv` (relative to the app's folder) plus the name
of the work that owns it. The process runtime runs every work in the same folder on one machine, so a Path
passed to another work names the very same file there.
"""
from __future__ import annotations

import os
import pathlib
import sys

from ..core.codec import TAG, register

PROTOCOL = "lit://"
_BASE = type(pathlib.Path())


def _strip(part):
    return part[len(PROTOCOL) :] if isinstance(part, str) and part.startswith(PROTOCOL) else part


@register("path")
class Path(_BASE):
    """A pathlib path that also records its origin work (`path.origin`)."""

    _origin: str | None = None

    if sys.version_info >= (3, 12):

        def __init__(self, *args, origin: str | None = None) -> None:
            super().__init__(*(_strip(a) for a in args))
            self._origin = origin

    else:

        def __new__(cls, *args, origin: str | None = None):
            self = cls._from_parts([_strip(a) for a in args])
            self._origin = origin
            return self

    @property
    def _lw_unowned(self) -> bool:
        return self._origin is None

    @property
    def origin(self) -> str | None:
        """The name of the work whose state holds this path (None before a work owns it)."""
        return self._origin

    def exists_local(self) -> bool:
        return os.path.exists(self)

    def exists_remote(self) -> bool:
        """Whether the origin's file exists (the same file here: works share the app's folder)."""
        return os.path.exists(self)

    def get(self, overwrite: bool = False) -> None:
        """Make the origin's file available here; FileNotFoundError if the origin has no such file."""
        if not self.exists_remote():
            owner = f" (owned by {self._origin})" if self._origin else ""
            raise FileNotFoundError(f"{PROTOCOL}{self}{owner} does not exist")

    def _lw_encode(self) -> dict:
        return {TAG: "path", "path": PROTOCOL + str(self), "origin": self._origin}

    @classmethod
    def _lw_decode(cls, reference: dict) -> "Path":
        return cls(reference["path"], origin=reference.get("origin"))

    def __reduce__(self):
        return (Path._lw_decode, (self._lw_encode(),))
