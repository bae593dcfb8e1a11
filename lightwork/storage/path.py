"""Path: a `lit://` file reference that travels between works, and a drop-in for `pathlib.Path`.

`Path("lit://data/out.csv")` is the local path `data/out.csv` (relative to the app's folder) plus the name
of the work that owns it. The process runtime runs every work in the same folder on one machine, so a Path
passed to another work names the very same file there. Where works have folders of their own (the Ray
runtime), the owner copies its paths' files to the storage when a call ends, and a work that gets a Path of
another work copies the file from there before its call runs.
"""
from __future__ import annotations

import os
import pathlib
import sys

from ..core.codec import TAG, register

PROTOCOL = "lit://"
OWN_FOLDERS_VARIABLE = "LIGHTWORK_OWN_FOLDERS"  # "1" in works that run in a folder of their own
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
        """Whether the origin's file exists (here, if works share the app's folder; else in the storage)."""
        if self._travels():
            return _store().exists(self._key())
        return os.path.exists(self)

    def get(self, overwrite: bool = False) -> None:
        """Make the origin's file available here; FileNotFoundError if the origin has no such file."""
        if self._travels() and (overwrite or not os.path.exists(self)):
            try:
                parent = os.path.dirname(self)
                if parent:
                    os.makedirs(parent, exist_ok=True)
                _store().get_file(self._key(), str(self))
                return
            except FileNotFoundError:
                pass
        if not os.path.exists(self):
            owner = f" (owned by {self._origin})" if self._origin else ""
            raise FileNotFoundError(f"{PROTOCOL}{self}{owner} does not exist")

    def _travels(self) -> bool:
        """Whether this path's file travels through the storage: works have own folders, it names another's."""
        from ..core import context

        return paths_travel() and bool(self._origin) and not self.is_absolute() and context.work_name != self._origin

    def _key(self) -> str:
        return f"paths/{self._origin}/{os.path.normpath(self)}"

    def _lw_encode(self) -> dict:
        return {TAG: "path", "path": PROTOCOL + str(self), "origin": self._origin}

    @classmethod
    def _lw_decode(cls, reference: dict) -> "Path":
        return cls(reference["path"], origin=reference.get("origin"))

    def __reduce__(self):
        return (Path._lw_decode, (self._lw_encode(),))


def paths_travel() -> bool:
    """Whether works here have folders of their own, so Paths travel through the storage."""
    return os.environ.get(OWN_FOLDERS_VARIABLE) == "1"


def _store():
    from .store import Store

    return Store()


def _paths_in(value):
    if isinstance(value, Path):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _paths_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _paths_in(item)


def share_paths(value, owner: str) -> None:
    """Copy the files of `owner`'s paths found in `value` to the storage, for works in other folders."""
    store = None
    for path in _paths_in(value):
        if path.origin == owner and not path.is_absolute() and os.path.isfile(path):
            store = store or _store()
            store.put_file(str(path), path._key())


def fetch_paths(value) -> None:
    """Copy here the files of other works' paths found in `value` (those that exist)."""
    for path in _paths_in(value):
        if path._travels() and not os.path.exists(path):
            try:
                path.get()
            except FileNotFoundError:
                pass


# -- where components put files all works can read (Lightning Apps' helpers, which components import) ------
SHARED_FOLDER = "shared"  # the storage's folder for them, also FileSystem's root


def _storage_root_dir() -> pathlib.Path:
    """A local folder for the storage of this machine: STORAGE_ROOT_DIR, else `./.storage` (made here)."""
    path = pathlib.Path(os.environ.get("STORAGE_ROOT_DIR", "./.storage")).absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _filesystem():
    """The fsspec filesystem of the app's storage (LIGHTWORK_STORAGE: a local folder, S3, ...)."""
    return _store().fs


def _shared_storage_path() -> pathlib.PurePath:
    """The folder on `_filesystem()` that every work of the app reads and writes: LIGHTNING_STORAGE_PATH, else
    the storage's `shared` folder."""
    if os.environ.get("LIGHTNING_STORAGE_PATH"):
        return pathlib.Path(os.environ["LIGHTNING_STORAGE_PATH"])
    store = _store()
    if store.local:
        os.makedirs(store.full(SHARED_FOLDER), exist_ok=True)
        return pathlib.Path(store.full(SHARED_FOLDER))
    return pathlib.PurePosixPath(store.full(SHARED_FOLDER))


_shared_local_mount_path = _shared_storage_path
storage_root_dir, shared_storage_path, filesystem = _storage_root_dir, _shared_storage_path, _filesystem  # 2022 names
