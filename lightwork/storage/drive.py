"""Drive: a named folder shared by every component of an app (seed 004)."""
from __future__ import annotations

import filecmp
import os
import re
import time

from ..core import context
from ..core.codec import TAG, register
from .store import Store, check_relative, drive_url

PROTOCOL = "lit://"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")  # documented: letters, digits, _ . -; no '..'


@register("drive")
class Drive:
    """`Drive("lit://name")`: put, list, get and delete files and folders, by paths relative to the drive.

    Paths are the same locally (relative to the current folder) and in the drive. Every component that
    knows the name sees the same files; drives with different names never see each other's.
    """

    def __init__(self, id: str, allow_duplicates: bool = False, component_name: str | None = None, root_folder=None) -> None:
        if not isinstance(id, str) or not id.startswith(PROTOCOL):
            raise ValueError(f"a Drive name starts with {PROTOCOL!r}, like Drive('lit://my_drive'); got {id!r}")
        name = id[len(PROTOCOL) :]
        if not NAME_PATTERN.fullmatch(name) or ".." in name:
            raise ValueError(
                f"bad Drive name {name!r}: use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"
            )
        self.id, self.name = id, name
        self.allow_duplicates, self.component_name, self.root_folder = allow_duplicates, component_name, root_folder
        self._store = None

    def __repr__(self) -> str:
        return f"Drive({self.id!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Drive) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __reduce__(self):
        return (Drive, (self.id,))

    def _lw_encode(self) -> dict:
        return {TAG: "drive", "id": self.id}

    @classmethod
    def _lw_decode(cls, reference: dict) -> "Drive":
        return cls(reference["id"])

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(drive_url(self.name))
        return self._store

    def _no_flow(self, action: str) -> None:
        if context.role == context.FLOW:
            raise RuntimeError(f"the flow cannot {action} files in {self!r}: do it in a work (the flow may list them)")

    def put(self, path: str) -> None:
        """Copy the local file or folder `path` into the drive at the same relative path."""
        self._no_flow("put")
        path = check_relative(path)
        try:
            self.store.put_tree(path, path)
        except FileNotFoundError:
            raise FileNotFoundError(f"cannot put {path!r} into {self.id}: no such local file or folder") from None

    def list(self, path: str = ".") -> list[str]:
        """The files and folders directly under `path` in the drive, relative to the drive."""
        return self.store.list(check_relative(path, allow_root=True))

    def get(self, path: str, overwrite: bool = False, timeout: float | None = None) -> None:
        """Copy `path` from the drive to the same local path, waiting up to `timeout` seconds for it to appear.

        A local file that differs is only replaced with overwrite=True (FileExistsError otherwise).
        """
        self._no_flow("get")
        path = check_relative(path)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.store.exists(path):
            if deadline is None or time.monotonic() >= deadline:
                raise FileNotFoundError(f"{path!r} is not in {self.id}" + (f" (waited {timeout}s)" if timeout else ""))
            time.sleep(0.05)
        files = self.store.walk_files(path)
        for stored in files:
            if os.path.exists(stored) and not overwrite and not self._same(stored):
                raise FileExistsError(f"{stored!r} exists locally and differs from {self.id}; pass overwrite=True to replace it")
        for stored in files:
            if overwrite or not os.path.exists(stored) or not self._same(stored):
                self.store.get_file(stored, stored)

    def _same(self, path: str) -> bool:
        """Whether the local file `path` has the same bytes as the stored one."""
        if self.store.local:
            return filecmp.cmp(path, self.store.full(path), shallow=False)
        if os.path.getsize(path) != self.store.fs.size(self.store.full(path)):
            return False
        with open(path, "rb") as handle:
            return handle.read() == self.store.read_bytes(path)

    def delete(self, path: str) -> None:
        """Remove the file or folder `path` from the drive (FileNotFoundError if it is not there)."""
        self._no_flow("delete")
        self.store.delete(check_relative(path))

