"""Files under one storage root, a URL served by fsspec: a local folder by default, S3 and others by URL.

Paths given to a Store are relative, use '/' and may not leave the root (no '..', no absolute paths, no
symlinks pointing out). Writes are atomic: a reader sees the old file or the new one, never a partial one.
"""
from __future__ import annotations

import json
import os
import posixpath
import shutil
import uuid

STORAGE_VARIABLE = "LIGHTWORK_STORAGE"  # the root URL, e.g. s3://bucket/prefix; default: ./.lightwork
OPTIONS_VARIABLE = "LIGHTWORK_STORAGE_OPTIONS"  # JSON object of fsspec options for that URL
TEMP_PREFIX = ".lw-tmp-"


def storage_url(app_folder: str = ".") -> str:
    """The storage root: LIGHTWORK_STORAGE, else the folder `.lightwork` in `app_folder`."""
    return os.environ.get(STORAGE_VARIABLE) or os.path.join(os.path.abspath(app_folder), ".lightwork")


def drive_url(name: str, root: str | None = None) -> str:
    """Where the drive `name` keeps its files under the storage root."""
    return (root or storage_url()).rstrip("/") + "/drives/" + name


def check_relative(path, what: str = "path", allow_root: bool = False) -> str:
    """The normalised form of a relative path; ValueError naming it if it is absolute or contains '..'."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, not {type(path).__name__}")
    if not text or "\0" in text:
        raise ValueError(f"{what} {text!r} is empty or contains a NUL character")
    if text.startswith(("/", "\\")) or (len(text) > 1 and text[1] == ":"):
        raise ValueError(f"{what} {text!r} is absolute; use a path relative to the drive")
    parts = text.replace("\\", "/").split("/")
    if ".." in parts:
        raise ValueError(f"{what} {text!r} contains '..'")
    normal = posixpath.normpath("/".join(parts))
    if normal == "." and not allow_root:
        raise ValueError(f"{what} {text!r} names the drive itself, not a file or folder in it")
    if any(part.startswith(TEMP_PREFIX) for part in normal.split("/")):
        raise ValueError(f"{what} {text!r} uses the reserved prefix {TEMP_PREFIX!r}")
    return normal


def storage_options() -> dict:
    """The fsspec options in LIGHTWORK_STORAGE_OPTIONS (a JSON object); ValueError saying what is wrong."""
    text = os.environ.get(OPTIONS_VARIABLE)
    if not text:
        return {}
    try:
        options = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{OPTIONS_VARIABLE} is not valid JSON ({exc.msg}, at character {exc.pos}); "
                         f"set it to a JSON object of fsspec options, like '{{\"anon\": true}}'") from None
    if not isinstance(options, dict):
        raise ValueError(f"{OPTIONS_VARIABLE} must be a JSON object of fsspec options, not {type(options).__name__}")
    return options


def check_storage(url: str) -> None:
    """ValueError naming the problem when fsspec cannot serve `url` (unknown protocol, package missing)."""
    import fsspec

    protocol = fsspec.core.split_protocol(url)[0] or "file"
    try:
        fsspec.get_filesystem_class(protocol)
    except ValueError:
        raise ValueError(f"unknown storage protocol {protocol!r} in {url!r}: use a local folder or a URL fsspec "
                         f"knows, such as s3://bucket/prefix (with `pip install lightwork[s3]`)") from None
    except ImportError as exc:
        raise ValueError(f"the storage {url!r} needs a package that is not installed ({exc}); for s3:// "
                         f"install it with `pip install lightwork[s3]`") from None


class Store:
    """Relative paths under `url` on an fsspec filesystem, with atomic writes and containment checks."""

    def __init__(self, url: str | None = None, **options) -> None:
        import fsspec
        from fsspec.implementations.local import LocalFileSystem

        self.url = url or storage_url()
        options = options or storage_options()
        check_storage(self.url)
        self.fs, root = fsspec.core.url_to_fs(self.url, **options)
        self.local = isinstance(self.fs, LocalFileSystem)
        self.root = os.path.realpath(root) if self.local else root.rstrip("/")

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def full(self, path: str) -> str:
        """The backend path of a relative path; ValueError if it resolves outside the root."""
        if path in ("", "."):
            return self.root
        full = posixpath.join(self.root, path)
        if self.local:
            resolved = os.path.realpath(full)
            if resolved != self.root and not resolved.startswith(self.root + os.sep):
                raise ValueError(f"path {path!r} resolves outside the storage root (through a symbolic link)")
        return full

    # -- reading -------------------------------------------------------------------------------------------
    def _fresh(self, path: str) -> str:
        """The backend path, with any listing this process cached dropped: other processes write too."""
        full = self.full(path)
        if not self.local:
            self.fs.invalidate_cache(full)
        return full

    def exists(self, path: str) -> bool:
        return self.fs.exists(self._fresh(path))

    def isdir(self, path: str) -> bool:
        return self.fs.isdir(self._fresh(path))

    def list(self, path: str = ".") -> list[str]:
        """Entries directly under `path` as paths relative to the root, sorted; [] when there is nothing."""
        full = self._fresh(path)
        if self.local:
            try:
                names = [e.name for e in os.scandir(full)]
            except NotADirectoryError:
                return [path]
            except FileNotFoundError:
                return []
        else:
            if not self.fs.exists(full):
                return []
            if not self.fs.isdir(full):
                return [path]
            names = [posixpath.basename(p.rstrip("/")) for p in self.fs.ls(full, detail=False)]
        prefix = "" if path in ("", ".") else path + "/"
        return sorted(prefix + n for n in names if not n.startswith(TEMP_PREFIX))

    def walk_files(self, path: str) -> list[str]:
        """Every file at or below `path`, relative to the root."""
        full = self._fresh(path)
        if not self.fs.isdir(full):
            return [path] if self.fs.exists(full) else []
        found = []
        for entry in self.list(path):
            found.extend(self.walk_files(entry))
        return found

    def files(self, path: str) -> dict[str, tuple]:
        """Every file at or below `path` (relative to the root) -> its version, a value that changes when
        the file is replaced; {} when there is nothing. One listing, also on object stores."""
        full = self._fresh(path)
        if self.local:
            return self._local_files(path, full)
        if self.fs.isfile(full):
            return {path: _version(self.fs.info(full))}
        if not self.fs.isdir(full):
            return {}
        found = {}
        for name, info in self.fs.find(full, detail=True).items():
            relative = posixpath.relpath(name.rstrip("/"), self.root)
            if info.get("type", "file") == "file" and not any(p.startswith(TEMP_PREFIX) for p in relative.split("/")):
                found[relative] = _version(info)
        return found

    def _local_files(self, path: str, full: str) -> dict[str, tuple]:
        try:
            stat = os.stat(full)
        except FileNotFoundError:
            return {}
        if not os.path.isdir(full):
            return {path: (stat.st_size, stat.st_mtime_ns, stat.st_ino)}  # a put replaces the inode too
        found = {}
        for folder, folders, names in os.walk(full):
            folders[:] = [f for f in folders if not f.startswith(TEMP_PREFIX)]
            for name in names:
                if not name.startswith(TEMP_PREFIX):
                    found.update(self._local_files(posixpath.relpath(os.path.join(folder, name), self.root), os.path.join(folder, name)))
        return found

    def get_file(self, path: str, local: str) -> None:
        """Copy the stored file to the local path `local` atomically; FileNotFoundError if it is not stored."""
        full = self._fresh(path)
        if not self.fs.isfile(full):
            raise FileNotFoundError(f"{path!r} is not in {self.url}")
        folder = os.path.dirname(os.path.abspath(local))
        os.makedirs(folder, exist_ok=True)
        temp = os.path.join(folder, f"{TEMP_PREFIX}{uuid.uuid4().hex}")
        try:
            if self.local:
                shutil.copyfile(full, temp)
            else:
                self.fs.get_file(full, temp)
            os.replace(temp, local)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)

    def read_bytes(self, path: str) -> bytes:
        return self.fs.cat_file(self.full(path))

    # -- writing -------------------------------------------------------------------------------------------
    def put_file(self, local: str, path: str) -> None:
        """Store the local file `local` at `path` atomically (concurrent puts: one complete version wins)."""
        full = self.full(path)
        if self.local:
            folder = os.path.dirname(full)
            temp = os.path.join(folder, f"{TEMP_PREFIX}{uuid.uuid4().hex}")
            try:
                try:
                    shutil.copyfile(local, temp)
                except FileNotFoundError:  # the folder is new (checked after, not before: most are not)
                    if not os.path.exists(local):
                        raise
                    os.makedirs(folder, exist_ok=True)
                    shutil.copyfile(local, temp)
                os.replace(temp, full)
            finally:
                if os.path.exists(temp):
                    os.unlink(temp)
        else:  # object stores and fsspec's memory filesystem publish a file whole when it is closed
            self.fs.put_file(local, full)

    def put_bytes(self, data: bytes, path: str) -> None:
        """Store `data` as the file `path` atomically."""
        full = self.full(path)
        if not self.local:
            self.fs.pipe_file(full, data)
            return
        os.makedirs(os.path.dirname(full), exist_ok=True)
        temp = os.path.join(os.path.dirname(full), f"{TEMP_PREFIX}{uuid.uuid4().hex}")
        try:
            with open(temp, "wb") as handle:
                handle.write(data)
            os.replace(temp, full)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)

    def put_tree(self, local: str, path: str) -> None:
        """Store the local file `local` at `path`, or every file of the local folder `local` under `path`."""
        if os.path.isdir(local):
            for folder, _, names in os.walk(local):
                for name in names:
                    source = os.path.join(folder, name)
                    self.put_file(source, check_relative(posixpath.join(path, os.path.relpath(source, local))))
        elif os.path.exists(local):
            self.put_file(local, path)
        else:
            raise FileNotFoundError(f"no such local file or folder: {local!r}")

    def delete(self, path: str) -> None:
        full = self._fresh(path)
        if not self.fs.exists(full):
            raise FileNotFoundError(f"{path!r} is not in {self.url}")
        if self.local and os.path.islink(full):
            os.unlink(full)
        else:
            self.fs.rm(full, recursive=True)


def _version(info: dict) -> tuple:
    """A stored file's size and the backend's marker of its content (an ETag, else its modification time)."""
    marker = next((info[key] for key in ("ETag", "etag", "mtime", "LastModified", "created") if info.get(key) is not None), None)
    if hasattr(marker, "timestamp"):  # some backends give a datetime in one listing and a number in another
        marker = marker.timestamp()
    return (info.get("size"), str(marker))
