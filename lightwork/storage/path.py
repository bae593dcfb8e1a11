"""Path: a `lit://` file or folder reference that travels between works, and a drop-in for `pathlib.Path`.

`Path("lit://data/out.csv")` is the local path `data/out.csv` (relative to the app's folder) plus the name
of the work that owns it. The process runtime runs every work in the same folder on one machine, so a Path
passed to another work names the very same file there. Where works have folders of their own (the Ray
runtime), the owner copies its paths' files (a folder: every file in it) to the storage when a call ends,
and a work that gets a Path of another work brings its copy up to date from there before its call runs; the
flow does the same when its code first uses the path after the owner's call ended.
"""
from __future__ import annotations

import hashlib
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
    """A pathlib path that also records its origin work (`path.origin`, Lightning Apps' `origin_name`) and
    the work that last took it into its state (`consumer_name`). A path made from a Path (`path / "x"`,
    `parent`, `with_suffix(...)`, `Path(path)`) keeps what that Path records."""

    _origin = None  # the origin work, or its name (a work's own paths: the work, so its name follows the tree)
    _consumer = None

    if sys.version_info >= (3, 12):

        def __init__(self, *args, origin=None) -> None:
            super().__init__(*(_strip(a) for a in args))
            self._lw_inherit(args, origin)

    else:

        def __new__(cls, *args, origin=None):
            self = cls._from_parts([_strip(a) for a in args])
            self._lw_inherit(args, origin)
            return self

    def _lw_inherit(self, parts, origin) -> None:
        """Take what the Paths among `parts` record (TypeError when they name different origins); an explicit
        `origin` wins."""
        paths = [part for part in parts if isinstance(part, Path)]
        origins = {part.origin for part in paths if part.origin is not None}
        if len(origins) > 1:
            raise TypeError(f"a Path made from Paths of different works ({', '.join(sorted(origins))}): join paths "
                            f"of one work, or make a plain pathlib.Path")
        source = next((part for part in paths if part.origin is not None), paths[0] if paths else None)
        if source is not None and source is not self:
            self.__dict__.update(source.__dict__)
        if origin is not None:
            self._origin = origin

    def _lw_derived(self, path):
        """`path` (made from this one by pathlib) with what this path records."""
        if isinstance(path, Path) and path is not self:
            path.__dict__.update(self.__dict__)
        return path

    def __truediv__(self, key):
        return self._lw_derived(super().__truediv__(key))

    def __rtruediv__(self, key):
        return self._lw_derived(super().__rtruediv__(key))

    def joinpath(self, *others):
        return self._lw_derived(super().joinpath(*others))

    def with_name(self, name):
        return self._lw_derived(super().with_name(name))

    def with_stem(self, stem):
        return self._lw_derived(super().with_stem(stem))

    def with_suffix(self, suffix):
        return self._lw_derived(super().with_suffix(suffix))

    def relative_to(self, *other, **kwargs):
        return self._lw_derived(super().relative_to(*other, **kwargs))

    @property
    def parent(self):
        return self._lw_derived(super().parent)

    @property
    def parents(self) -> list:
        """The parent folders, nearest first, as a list of Paths that keep what this path records."""
        return [self._lw_derived(parent) for parent in super().parents]

    @property
    def _lw_unowned(self) -> bool:
        return self._origin is None

    @property
    def origin(self) -> str | None:
        """The name of the work whose state holds this path (None before a work owns it)."""
        return _name_of(self._origin)

    origin_name = origin  # Lightning Apps' name

    @property
    def consumer_name(self) -> str | None:
        """The name of the work that last took this path into its state (the origin for a work's own paths);
        None before a work did."""
        return _name_of(self._consumer)

    @property
    def hash(self) -> str | None:
        """A hash of the origin's name and the path: the same file of the same work (None without an origin)."""
        if self.origin is None:
            return None
        return hashlib.sha1(f"{self.origin}/{self}".encode()).hexdigest()

    def _lw_attached(self, work) -> "Path":
        """This path as `work` holds it in its state: owned by `work` when it had no origin, with `work` as
        its consumer (a copy: another component may hold this very object)."""
        held = Path(self, origin=self._origin if self._origin is not None else work)
        held._consumer = work
        return held

    def to_dict(self) -> dict:
        """`{"path", "origin_name", "consumer_name", "metadata"}` (Lightning Apps' form); `from_dict` reads it."""
        return {"path": str(self), "origin_name": self.origin, "consumer_name": self.consumer_name,
                "metadata": dict(self.__dict__.get("_metadata", {}))}

    @classmethod
    def from_dict(cls, content: dict) -> "Path":
        path = cls(content["path"], origin=content.get("origin_name"))
        path._consumer = content.get("consumer_name")
        path._metadata = dict(content.get("metadata") or {})
        return path

    def __json__(self) -> dict:
        """What `app_helpers.LightningJSONEncoder` writes for this path: `to_dict()`."""
        return self.to_dict()

    def exists(self) -> bool:
        """Whether the file or folder is here, or else at its origin (`exists_local() or exists_remote()`)."""
        return self.exists_local() or (self.origin is not None and self.exists_remote())

    def exists_local(self) -> bool:
        return os.path.exists(str(self))

    def exists_remote(self) -> bool:
        """Whether the origin's file or folder exists (here, if works share the app's folder; else in the
        storage); RuntimeError for a path no work owns."""
        if self.origin is None:
            raise RuntimeError(f"cannot tell whether {self} exists at its origin: the path is not attached to a "
                               f"LightningWork (set it as a work's attribute or pass it to a work's run())")
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
            owner = f" (owned by {self.origin})" if self.origin else ""
            raise FileNotFoundError(f"{PROTOCOL}{self}{owner} does not exist")

    def __fspath__(self) -> str:
        if _flow_fetches and self._origin is not None:  # the flow's code opens, lists or joins the path: bring it first
            _sync_for_flow(self)
        return str(self)

    def _travels(self) -> bool:
        """Whether this path's file travels through the storage: works have own folders, it names another's."""
        from ..core import context

        origin = self.origin
        return paths_travel() and bool(origin) and not self.is_absolute() and context.work_name != origin

    def _key(self) -> str:
        return f"paths/{self.origin}/{posixpath.normpath(str(self))}"

    def _lw_encode(self) -> dict:
        return {TAG: "path", "path": PROTOCOL + str(self), "origin": self.origin}

    @classmethod
    def _lw_decode(cls, reference: dict) -> "Path":
        return cls(reference["path"], origin=reference.get("origin"))

    def __reduce__(self):
        return (Path.from_dict, (self.to_dict(),))


def _name_of(component) -> str | None:
    """A component's name (a work a path records), or the name recorded as a string."""
    return component if component is None or isinstance(component, str) else component.name


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
    marker, ends = (path.origin, str(path)), _call_ends.get(path.origin, 0)
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
