"""Drive: a named folder shared by every component of an app (seed 004)."""
from __future__ import annotations

import filecmp
import os
import pathlib
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

    Paths are the same locally (relative to `root_folder`, by default the current folder) and in the drive.
    Every component that knows the name sees the same files; drives with different names never see each
    other's. `component_name` and `allow_duplicates` are kept (Lightning Apps' per-component folders are not
    used: see docs/compat.md).
    """

    def __init__(self, id: str, allow_duplicates: bool = False, component_name: str | None = None, root_folder=None) -> None:
        if isinstance(id, str) and id.startswith("s3://"):
            raise ValueError(f"Drive({id!r}): a Drive is named lit://name; read an S3 bucket with fsspec (pip install s3fs)")
        if not isinstance(id, str) or not id.startswith(PROTOCOL):
            raise ValueError(f"a Drive name starts with {PROTOCOL!r}, like Drive('lit://my_drive'); got {id!r}")
        name = id[len(PROTOCOL) :]
        if not NAME_PATTERN.fullmatch(name) or ".." in name:
            raise ValueError(
                f"bad Drive name {name!r}: use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"
            )
        self.id, self.name = id, name
        self.allow_duplicates, self.component_name = allow_duplicates, component_name
        self.root_folder = root_folder
        self._store = None

    @property
    def root_folder(self) -> pathlib.Path:
        """The local folder that paths given to put and get are relative to: the current folder unless set."""
        return pathlib.Path(self._root_folder if self._root_folder is not None else os.getcwd())

    @root_folder.setter
    def root_folder(self, folder) -> None:
        if folder is not None and not os.path.isdir(folder):
            raise NotADirectoryError(f"{self!r}: root_folder {str(folder)!r} is not a folder")
        self._root_folder = None if folder is None else os.fspath(folder)

    def _local(self, path: str) -> str:
        return path if self._root_folder is None else os.path.join(self._root_folder, path)

    def __repr__(self) -> str:
        return f"Drive({self.id!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Drive) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __reduce__(self):  # no store: a copy opens its own; root_folder is not checked again where it lands
        return (Drive, (self.id, self.allow_duplicates, self.component_name), {"_root_folder": self._root_folder})

    def to_dict(self) -> dict:
        """The drive as JSON (Lightning Apps' form); `from_dict` takes it back."""
        return {"type": "__drive__", "id": self.id, "protocol": PROTOCOL, "allow_duplicates": self.allow_duplicates,
                "component_name": self.component_name, "root_folder": str(self.root_folder)}

    @classmethod
    def from_dict(cls, data: dict) -> "Drive":
        """The Drive `to_dict()` described (an id without `lit://` gets it, as Lightning Apps wrote ids)."""
        drive_id = data["id"] if data["id"].startswith(PROTOCOL) else data.get("protocol", PROTOCOL) + data["id"]
        return cls(drive_id, data.get("allow_duplicates", False), data.get("component_name"), data.get("root_folder"))

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
            self.store.put_tree(self._local(path), path)
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
            local = self._local(stored)
            if os.path.exists(local) and not overwrite and not self._same(stored):
                raise FileExistsError(f"{local!r} exists locally and differs from {self.id}; pass overwrite=True to replace it")
        for stored in files:
            local = self._local(stored)
            if overwrite or not os.path.exists(local) or not self._same(stored):
                self.store.get_file(stored, local)

    def _same(self, path: str) -> bool:
        """Whether the local file for `path` has the same bytes as the stored one."""
        local = self._local(path)
        if self.store.local:
            return filecmp.cmp(local, self.store.full(path), shallow=False)
        if os.path.getsize(local) != self.store.fs.size(self.store.full(path)):
            return False
        with open(local, "rb") as handle:
            return handle.read() == self.store.read_bytes(path)

    def delete(self, path: str) -> None:
        """Remove the file or folder `path` from the drive (FileNotFoundError if it is not there)."""
        self._no_flow("delete")
        self.store.delete(check_relative(path))

