"""Payload: a Python object that is not JSON, carried in state and call arguments by reference (seed 003).

The object is pickled once (cloudpickle, protocol 5) into a file whose out-of-band buffers (numpy arrays,
pandas columns...) are stored raw and 64-byte aligned. A receiving work maps the file copy-on-write and
unpickles from the mapping, so a large array moves with one write and no read copy, and the receiver gets a
private copy it may change. In state and deltas a payload is `{"__lightwork__": "payload", "id", "size",
"type"}`; its file is removed once nothing in the app refers to it, and the folder when the app ends. On the
Ray runtime the same stored form lives in Ray's object store instead (`runtime.ray_objects`).
"""
from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import mmap
import os
import pickle
import shutil
import struct
import tempfile
import time
import uuid

from ..core.codec import TAG, register

PAYLOAD_VARIABLE = "LIGHTWORK_PAYLOAD_DIR"  # set by the app for every process it starts
RAY_PAYLOADS_VARIABLE = "LIGHTWORK_RAY_PAYLOADS"  # set instead on the Ray runtime: the keeper actor's name
SUFFIX = ".lwp"
FOLDER_PREFIX = "lightwork-payloads-"
_MAGIC = b"LWP1"
_ALIGN = 64
_HEAD = struct.Struct("<4sIQ")  # magic, number of buffers, pickle length
_fallback_dir: str | None = None


def payload_dir() -> str:
    """The folder of this app's payload files (a private temporary one outside an app)."""
    global _fallback_dir
    folder = os.environ.get(PAYLOAD_VARIABLE)
    if folder:
        return folder
    if _fallback_dir is None:
        _fallback_dir = tempfile.mkdtemp(prefix="lightwork-payloads-")
        atexit.register(shutil.rmtree, _fallback_dir, True)
    return _fallback_dir


def spill_dir(folder: str | None = None) -> str:
    """Where payloads go that do not fit in the payload folder (a /dev/shm too small, as Docker's 64 MB):
    a folder on disk named after it, so every process of the app finds it."""
    folder = os.path.abspath(folder or payload_dir())
    return os.path.join(tempfile.gettempdir(), "lightwork-spill-" + hashlib.sha1(folder.encode()).hexdigest()[:16])


def payload_file(payload_id: str) -> str:
    """The file of a stored payload: in the payload folder, or spilled to disk."""
    path = os.path.join(payload_dir(), payload_id + SUFFIX)
    if os.path.exists(path):
        return path
    spilled = os.path.join(spill_dir(), payload_id + SUFFIX)
    return spilled if os.path.exists(spilled) else path


def new_payload_dir() -> str:
    """A fresh folder for one app run: in /dev/shm (memory) when there is one, else the temp folder."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-", dir=base)  # whose it is, at a glance


def _padding(offset: int) -> int:
    return -offset % _ALIGN


def write_payload(path: str, obj) -> int:
    """Pickle `obj` into the file `path` (written whole, then renamed into place); return its size in bytes."""
    import cloudpickle

    buffers: list = []
    data = cloudpickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [buffer.raw() for buffer in buffers]
    header = _HEAD.pack(_MAGIC, len(raws), len(data)) + b"".join(struct.pack("<Q", r.nbytes) for r in raws)
    chunks, offset = [], 0
    for chunk in [header, data, *raws]:
        gap = _padding(offset)
        if gap:
            chunks.append(b"\0" * gap)
        chunks.append(chunk)
        offset += gap + memoryview(chunk).nbytes
    try:
        _write_whole(path, chunks)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        spilled = os.path.join(spill_dir(os.path.dirname(path)), os.path.basename(path))
        os.makedirs(os.path.dirname(spilled), exist_ok=True)
        _write_whole(spilled, chunks)
    return offset


def _write_whole(path: str, chunks: list) -> None:
    """Write `chunks` to a temporary file renamed to `path`: readers never see a partial file."""
    temp = f"{path}.{uuid.uuid4().hex}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for chunk in chunks:
            view = memoryview(chunk).cast("B")
            while view:
                view = view[os.write(fd, view) :]
        os.close(fd)
        fd = -1
        os.replace(temp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def map_payload(path: str) -> tuple:
    """Map a payload file copy-on-write; return (pickle bytes, [buffers]) ready for `pickle.loads`."""
    with open(path, "rb") as handle:
        mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    view = memoryview(mapping)
    magic, count, size = _HEAD.unpack_from(view)
    if magic != _MAGIC:
        raise ValueError(f"{path} is not a lightwork payload file")
    lengths = struct.unpack_from(f"<{count}Q", view, _HEAD.size)
    offset = _HEAD.size + 8 * count
    offset += _padding(offset)
    data = view[offset : offset + size]
    offset += size
    buffers = []
    for length in lengths:
        offset += _padding(offset)
        buffers.append(view[offset : offset + length])
        offset += length
    return data, buffers


@register("payload")
class Payload:
    """Wraps any picklable object; `.value` gives it back (a copy, in another process)."""

    def __init__(self, value) -> None:
        self._value, self._loaded, self._mapped = value, True, None
        self._id = uuid.uuid4().hex
        self._size: int | None = None
        self._saved_in: str | None = None  # the payload folder it was written to
        self._type = type(value).__name__
        if os.environ.get(PAYLOAD_VARIABLE):
            self._save()  # inside an app the object is captured now: later changes to it are not sent

    @property
    def value(self):
        """The object (loaded on first use when this payload came from another process)."""
        if not self._loaded:
            objects = _ray_objects()
            if objects:
                value = objects.load(self._mapped or objects.find(self._id), self._id)
            else:
                data, buffers = self._mapped or map_payload(payload_file(self._id))
                value = pickle.loads(data, buffers=buffers)
            self._value, self._loaded, self._mapped = value, True, None
        return self._value

    @property
    def id(self) -> str:
        return self._id

    @property
    def size(self) -> int | None:
        """Bytes of the stored form, once stored."""
        return self._size

    def _save(self) -> None:
        # Again when the app's store is another one: made at load time, or before an earlier app ended.
        objects = _ray_objects()
        place = _store_place(objects)
        if self._saved_in != place and self._loaded:
            if getattr(self, "_argument", False) and self._stored_already(objects):
                pass  # named by its content: the same argument of an earlier pass
            elif objects:
                self._size = objects.put(self._id, self._value)
            else:
                self._size = write_payload(os.path.join(place, self._id + SUFFIX), self._value)
            self._saved_in = place

    def _stored_already(self, objects) -> bool:
        if objects:
            return objects.find(self._id) is not None
        path = payload_file(self._id)
        if not os.path.exists(path):
            return False
        self._size = os.path.getsize(path)
        return True

    def _lw_encode(self) -> dict:
        self._save()
        reference = {TAG: "payload", "id": self._id, "size": self._size, "type": self._type}
        if getattr(self, "_argument", False):
            reference["argument"] = True
        return reference

    @classmethod
    def _lw_decode(cls, reference: dict) -> "Payload":
        payload = object.__new__(cls)
        payload._id, payload._size, payload._type = reference["id"], reference["size"], reference["type"]
        payload._value, payload._loaded, payload._mapped = None, False, None
        objects = _ray_objects()
        payload._saved_in = _store_place(objects)  # stored there already
        # Holding the stored form reads nothing yet, but keeps it even after the app lets go of it.
        if objects:
            payload._mapped = objects.find(payload._id)
        else:
            try:
                payload._mapped = map_payload(payload_file(payload._id))
            except FileNotFoundError:
                pass
        return payload.value if reference.get("argument") else payload

    def __reduce__(self):
        return (Payload._lw_decode, (self._lw_encode(),))

    def __eq__(self, other) -> bool:
        return isinstance(other, Payload) and other._id == self._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        return f"Payload({self._type}, id={self._id[:8]}, size={self._size})"


def argument_payload(value) -> Payload:
    """A call argument that is not JSON, carried as a payload the work receives as the value itself (as Lightning Apps
    pickled such arguments). Its id is a hash of its pickle, so the same value makes the same call (and cache key).
    Raises TypeError when the value cannot be pickled."""
    import cloudpickle

    try:
        digest = hashlib.sha256(cloudpickle.dumps(value, protocol=5)).hexdigest()[:32]
    except Exception as exc:
        raise TypeError(f"{type(value).__name__} value cannot be pickled ({exc})") from None
    payload = object.__new__(Payload)
    payload._value, payload._loaded, payload._mapped = value, True, None
    payload._id, payload._size, payload._saved_in, payload._type = digest, None, None, type(value).__name__
    payload._argument = True
    return payload


def _store_place(objects) -> str:
    """Where this process's payloads are stored: the Ray keeper's name, or the payload folder."""
    return os.environ[RAY_PAYLOADS_VARIABLE] if objects else payload_dir()


def _ray_objects():
    """The Ray object store's payload module when this process belongs to an app on the Ray runtime, else None."""
    if not os.environ.get(RAY_PAYLOADS_VARIABLE):
        return None
    from ..runtime import ray_objects

    return ray_objects


def referenced_ids(value) -> set:
    """Ids of the payloads referenced anywhere in a JSON value."""
    found: set = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get(TAG) == "payload":
                found.add(item["id"])
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def stored_payload_ids(folder: str | None = None) -> set:
    """Ids of the payloads with a file in `folder` (this app's payload folder by default), or in Ray's store."""
    if folder is None and _ray_objects():
        return _ray_objects().stored_ids()
    folder = folder or payload_dir()
    found = set()
    for place in (folder, spill_dir(folder)):
        try:
            found |= {entry.name.split(".", 1)[0] for entry in os.scandir(place)}
        except FileNotFoundError:
            pass
    return found


def collect_garbage(referenced: set, released: set = frozenset(), min_age: float = 60.0, folder: str | None = None) -> int:
    """Remove payload files not `referenced`: at once when `released` (referenced before, so published), else
    when older than `min_age` seconds (made but never published). Return how many were removed."""
    if folder is None and _ray_objects():
        return _ray_objects().collect(referenced, released, min_age)
    folder = folder or payload_dir()
    removed, now = 0, time.time()
    entries = []
    for place in (folder, spill_dir(folder)):
        try:
            entries += list(os.scandir(place))
        except FileNotFoundError:
            pass
    for entry in entries:
        name = entry.name
        stem = name.split(".", 1)[0]
        if stem in referenced:
            continue
        try:
            if stem in released or now - entry.stat().st_mtime >= min_age:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
