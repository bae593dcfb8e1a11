"""FileSystem: files every work of the app reads and writes, by paths such as `/models/a.ckpt`.

They live in the storage's `shared` folder (`storage.path._shared_storage_path()`), so they travel between
works on other machines too (the Ray runtime with an S3 storage).
"""
from __future__ import annotations

import os
import posixpath

from .path import SHARED_FOLDER
from .store import Store, check_relative

__all__ = ["FileSystem"]


def _key(path: str, what: str) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"the {what} {path!r} must start with '/' (the root of the shared storage)")
    inside = path.strip("/")
    return SHARED_FOLDER if not inside else f"{SHARED_FOLDER}/{check_relative(inside, what)}"


class FileSystem:
    """`put`, `get`, `listdir`, `walk`, `rm`, `exists`, `isfile`, `isdir` on the shared storage."""

    def __init__(self) -> None:
        self._store = Store()

    def put(self, src_path: str, dst_path: str) -> None:
        """Copy the local file or folder `src_path` to `dst_path` (`/` puts it at the root under its name)."""
        if not os.path.exists(src_path):
            raise FileNotFoundError(f"the local path {src_path!r} does not exist")
        key = _key(dst_path, "destination")
        if key == SHARED_FOLDER:
            key = f"{SHARED_FOLDER}/{os.path.basename(os.path.abspath(src_path))}"
        self._store.put_tree(src_path, key)

    def get(self, src_path: str, dst_path: str, overwrite: bool = True) -> None:
        """Copy the shared file or folder `src_path` to the local path `dst_path`."""
        key = _key(src_path, "source")
        if not self._store.exists(key):
            raise FileNotFoundError(f"{src_path!r} is not in the shared storage")
        for stored in self._store.walk_files(key):
            local = dst_path if stored == key else os.path.join(dst_path, posixpath.relpath(stored, key))
            if overwrite or not os.path.exists(local):
                self._store.get_file(stored, local)

    def listdir(self, path: str) -> list[str]:
        """The entries directly under `path`, relative to the root, sorted."""
        key = _key(path, "path")
        if not self._store.exists(key):
            raise FileNotFoundError(f"{path!r} is not in the shared storage")
        return [posixpath.relpath(entry, SHARED_FOLDER) for entry in self._store.list(key)]

    def walk(self, path: str) -> list[str]:
        """Every file at or below `path`, relative to the root, sorted."""
        key = _key(path, "path")
        if not self._store.exists(key):
            raise FileNotFoundError(f"{path!r} is not in the shared storage")
        return sorted(posixpath.relpath(entry, SHARED_FOLDER) for entry in self._store.walk_files(key))

    def rm(self, path: str) -> None:
        """Remove the shared file or folder `path`."""
        key = _key(path, "path")
        if key == SHARED_FOLDER:
            raise ValueError("rm('/') would remove the whole shared storage; name a file or folder in it")
        self._store.delete(key)

    def exists(self, path: str) -> bool:
        return self._store.exists(_key(path, "path"))

    def isdir(self, path: str) -> bool:
        return self._store.isdir(_key(path, "path"))

    def isfile(self, path: str) -> bool:
        return self.exists(path) and not self.isdir(path)
