"""Path: a `lit://` file or folder reference that travels between works, and a drop-in for `pathlib.Path`.

`Path("lit://data/out.csv")` is the local path `data/out.csv` (relative to the app's folder) plus the name
of the work that owns it. The process runtime runs every work in the same folder on one machine, so a Path
passed to another work names the very same file there. Where works have folders of their own (the Ray
runtime), the owner copies its paths' files (a folder: every file in it) to the storage when a call ends,
and a work that gets a Path of another work brings its copy up to date from there before its call runs; the
flow does the same when its code first uses the path after the owner's call ended.
"""
from __future__ import annotations

import os
import pathlib
import posixpath
import shutil
import sys

from ..core.codec import TAG, register

PROTOCOL = "lit://"
OWN_FOLDERS_VARIABLE = "LIGHTWORK_OWN_FOLDERS"  # "1" in works that run in a folder of their own
FOLDER_MARKER = ".lw-folder"  # stored in a shared folder that holds nothing else, so empty folders travel too
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
        return os.path.exists(str(self))

    def exists_remote(self) -> bool:
        """Whether the origin's file or folder exists (here, if works share the app's folder; else in the storage)."""
        if self._travels():
            return _store().exists(self._key())
        return os.path.exists(str(self))

    def get(self, overwrite: bool = False) -> None:
        """Make the origin's file or folder available here (with `overwrite`, brought up to date even if it is
        here already); FileNotFoundError if the origin has no such file or folder."""
        local = str(self)
        if self._travels() and (overwrite or not os.path.exists(local)):
            sync(self)
        if not os.path.exists(local):
            owner = f" (owned by {self._origin})" if self._origin else ""
            raise FileNotFoundError(f"{PROTOCOL}{self}{owner} does not exist")

    def __fspath__(self) -> str:
        if _flow_fetches and self._origin:  # the flow's code opens, lists or joins the path: bring it first
            _sync_for_flow(self)
        return str(self)

    def _travels(self) -> bool:
        """Whether this path's file travels through the storage: works have own folders, it names another's."""
        from ..core import context

        return paths_travel() and bool(self._origin) and not self.is_absolute() and context.work_name != self._origin

    def _key(self) -> str:
        return f"paths/{self._origin}/{posixpath.normpath(str(self))}"

    def _lw_encode(self) -> dict:
        return {TAG: "path", "path": PROTOCOL + str(self), "origin": self._origin}

    @classmethod
    def _lw_decode(cls, reference: dict) -> "Path":
        return cls(reference["path"], origin=reference.get("origin"))

    def __reduce__(self):
        return (Path._lw_decode, (self._lw_encode(),))


def paths_travel() -> bool:
    """Whether works here have folders of their own, so Paths travel through the storage."""
    return _flow_fetches or os.environ.get(OWN_FOLDERS_VARIABLE) == "1"


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


def _distinct(paths):
    seen = set()
    for path in paths:
        if (path.origin, str(path)) not in seen:
            seen.add((path.origin, str(path)))
            yield path


def share_paths(value, owner: str) -> None:
    """Store the files of `owner`'s paths found in `value` (folders whole), for works in other folders."""
    store = None
    for path in _distinct(_paths_in(value)):
        if path.origin == owner and not path.is_absolute() and os.path.exists(str(path)):
            store = store or _store()
            share(path, store)


def fetch_paths(value) -> None:
    """Bring here the current files of other works' paths found in `value` (those the storage has)."""
    store = None
    for path in _distinct(_paths_in(value)):
        if path._travels():
            store = store or _store()
            sync(path, store)


# -- the owner's side: its files and folders to the storage ---------------------------------------------------
_shared: dict = {}  # storage key -> what this process last stored there: (size, mtime_ns) of the local file


def share(path: Path, store) -> None:
    """Make the storage hold what the local `path` holds now: new and changed files stored, removed ones deleted."""
    key = path._key()
    wanted = {_under(key, name): state for name, state in _local_tree(str(path)).items()}
    stored = store.files(key)
    if stored and (key in stored) != (key in wanted):  # a file became a folder, or a folder a file
        store.delete(key)
        stored = {}
    for stale in stored.keys() - wanted.keys():
        store.delete(stale)
        _shared.pop(stale, None)
    for target, state in wanted.items():
        if target in stored and _shared.get(target) == state:
            continue
        if state == FOLDER_MARKER:
            store.put_bytes(b"", target)
        else:
            store.put_file(os.path.join(str(path), target[len(key) + 1 :]) if target != key else str(path), target)
        _shared[target] = state


def _local_tree(local: str) -> dict:
    """The local file `local` ({"": its state}) or every file below the folder `local` (by relative name) ->
    (size, mtime_ns); a folder holding nothing gets a FOLDER_MARKER entry."""
    if not os.path.isdir(local):
        return {"": _state(local)}
    found = {}
    for folder, folders, names in os.walk(local):
        relative = os.path.relpath(folder, local).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in names:
            found[prefix + name] = _state(os.path.join(folder, name))
        if not folders and not names:
            found[prefix + FOLDER_MARKER] = FOLDER_MARKER
    return found


def _under(key: str, name: str) -> str:
    return f"{key}/{name}" if name else key


def _state(local: str):
    try:
        stat = os.stat(local)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


# -- the reader's side: another work's files and folders from the storage -------------------------------------
_fetched: dict = {}  # absolute local path -> (stored version, local state) of the copy this process made


def sync(path: Path, store=None) -> None:
    """Bring the local copy of another work's `path` up to date with the storage: new and changed files
    copied here, files this process copied earlier that the origin no longer has removed. Nothing stored:
    the local path is left as it is."""
    store = store or _store()
    key, local = path._key(), os.path.abspath(str(path))
    stored = store.files(key)
    if not stored:
        return
    current, folders = set(), set()
    for stored_key, version in stored.items():
        target = os.path.join(local, *stored_key[len(key) + 1 :].split("/")) if stored_key != key else local
        if target != local and os.path.isfile(local):  # it was a file and is a folder now
            os.unlink(local)
        if os.path.basename(target) == FOLDER_MARKER:
            folders.add(os.path.dirname(target))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            continue
        current.add(target)
        if _fetched.get(target) == (version, _state(target)):
            continue
        if os.path.isdir(target):  # it was a folder and is a file now
            shutil.rmtree(target)
        try:
            store.get_file(stored_key, target)
        except FileNotFoundError:  # deleted since the listing: its owner is storing a newer state
            continue
        _fetched[target] = (version, _state(target))
    inside = local + os.sep
    for target in [t for t in _fetched if (t == local or t.startswith(inside)) and t not in current]:
        version, state = _fetched.pop(target)
        if state is not None and _state(target) == state:  # the copy, as made: the origin removed the file
            os.unlink(target)
            _prune(os.path.dirname(target), local, folders)


def _prune(folder: str, top: str, kept: set) -> None:
    """Remove `folder` and its parents below `top` while they are empty and not among the `kept` folders."""
    while folder.startswith(top + os.sep) and folder not in kept:
        try:
            os.rmdir(folder)
        except OSError:  # not empty (or gone): its parents are not empty either
            return
        folder = os.path.dirname(folder)


# -- the flow's side (Ray): paths used in the flow's code are brought up to date after their owner's calls ----
_flow_fetches = False  # True in the app's process while its works run in folders of their own
_call_ends: dict = {}  # work name -> calls of that work that ended (each stored its paths when it ended)
_flow_synced: dict = {}  # (origin, path) -> _call_ends of the origin when the flow last brought the path


def flow_fetches(enabled: bool) -> None:
    """Set by a runtime whose works have folders of their own: the flow's paths then come from the storage."""
    global _flow_fetches
    _flow_fetches = enabled
    _call_ends.clear()
    _flow_synced.clear()


def call_ended(work_name: str) -> None:
    """A call of `work_name` ended, so its paths in the storage may have changed."""
    _call_ends[work_name] = _call_ends.get(work_name, 0) + 1


def _sync_for_flow(path: Path) -> None:
    if path.is_absolute():
        return
    marker, ends = (path._origin, str(path)), _call_ends.get(path._origin, 0)
    if _flow_synced.get(marker) != ends:
        sync(path)
        _flow_synced[marker] = ends


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
