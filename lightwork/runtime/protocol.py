"""The messages between the flow's process and a work's process, and their framing.

Each message is one JSON object `{"v": 1, "type": <class name>, ...fields}` behind a 4-byte length.
"""
from __future__ import annotations

import collections
import json
import socket
import struct
import threading
import traceback
from dataclasses import asdict, dataclass, fields

VERSION = 1
_HEADER = struct.Struct("!I")


@dataclass
class ErrorInfo:
    """An exception that happened in another process: its type, message and traceback text."""

    type: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException, hide: str | None = None) -> "ErrorInfo":
        """Capture `exc`; frames from files under the folder `hide` are left out of the traceback."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not (hide and f.filename.startswith(hide))]
        lines = ["Traceback (most recent call last):\n"] if frames else []
        lines += traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
        return cls(type(exc).__name__, str(exc), "".join(lines))

    def summary(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


# flow -> work
@dataclass
class Adopt:
    """The first message to a work created while the app runs: the work object, cloudpickled, base64."""

    blob: str


@dataclass
class Call:
    """Run the work's `run(*args, **kwargs)` after setting `state` (the flow's view of the work's vars)."""

    call_id: str
    args: list
    kwargs: dict
    state: dict
    seq: int
    endpoint: list | None = None  # [host, port] the work serves on, when the flow chose a port for it


@dataclass
class Stop:
    """End the work: a running call stops (its status becomes stopped), then the process exits."""


@dataclass
class Update:
    """The flow wrote the work's state while it runs; `seq` orders the flow's writes."""

    seq: int
    delta: dict


# work -> flow
@dataclass
class Delta:
    """The work's state changed; `ack` is the last flow write (seq) applied before this change."""

    ack: int
    delta: dict


@dataclass
class Status:
    """The call `call_id` entered `stage` (running, succeeded, failed, stopped)."""

    call_id: str
    stage: str
    ack: int = 0
    message: str = ""
    error: ErrorInfo | None = None


@dataclass
class Serving:
    """The server the work runs at its `host` and `port` answers: it is reachable at `url`."""

    url: str


@dataclass
class Hello:
    """The first message on a socket the work opened itself: it proves it belongs to this app."""

    secret: str
    name: str
    launch: int
    node: str = ""  # the address of the machine the work runs on, as its cluster knows it (Ray's node address)


@dataclass
class Output:
    """Complete lines the work wrote to its stdout (1) or stderr (2), for the runtime to show."""

    stream: int
    text: str


# runtime -> app loop (not sent over a socket)
@dataclass
class Exited:
    """The work's process ended with `returncode` (negative: killed by that signal; None: not known), or
    never started; `reason` says why when the runtime knows."""

    returncode: int | None = None
    reason: str = ""


@dataclass
class Placed:
    """The work's process runs on the machine at `node` now (a runtime that places works, such as Ray's)."""

    node: str


_TYPES = {cls.__name__: cls for cls in (Adopt, Call, Stop, Update, Delta, Status, Serving, Hello, Output)}


def encode(message) -> bytes:
    fields_ = {f.name: getattr(message, f.name) for f in fields(message)}  # shallow: asdict would copy deltas
    if isinstance(fields_.get("error"), ErrorInfo):
        fields_["error"] = asdict(fields_["error"])
    body = json.dumps({"v": VERSION, "type": type(message).__name__, **fields_}).encode()
    return _HEADER.pack(len(body)) + body


def decode(body: bytes):
    data = json.loads(body)
    if data.pop("v", None) != VERSION:
        raise ValueError(f"unsupported protocol message: {body[:80]!r}")
    cls = _TYPES[data.pop("type")]
    if cls is Status and data.get("error"):
        data["error"] = ErrorInfo(**data["error"])
    return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


class Connection:
    """Framed messages over a stream socket: `send` blocks and is thread-safe; `queue` and `flush` never block
    (for a non-blocking socket served by a selector)."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock  # None until the work connects: queued messages wait in the outbox
        self._send_lock = threading.Lock()
        self._buffer = bytearray()
        self.outbox: collections.deque = collections.deque()  # memoryviews still to send, oldest first

    def send(self, message) -> None:
        self.send_encoded(encode(message))

    def send_encoded(self, data: bytes) -> None:
        """Send a message already made by `encode`."""
        with self._send_lock:
            self.sock.sendall(data)

    def queue(self, message) -> None:
        """Add `message` to the outbox and send what the socket takes now."""
        self.outbox.append(memoryview(encode(message)))
        self.flush()

    def flush(self) -> bool:
        """Send as much of the outbox as the socket takes without blocking; True once it is empty."""
        while self.outbox and self.sock is not None:
            head = self.outbox[0]
            try:
                sent = self.sock.send(head)
            except (BlockingIOError, InterruptedError):
                return False
            if sent < len(head):
                self.outbox[0] = head[sent:]
            else:
                self.outbox.popleft()
        return not self.outbox

    def feed(self, data: bytes) -> list:
        """Add received bytes; return the messages now complete."""
        self._buffer += data
        messages = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < _HEADER.size + size:
                break
            messages.append(decode(bytes(self._buffer[_HEADER.size : _HEADER.size + size])))
            del self._buffer[: _HEADER.size + size]
        return messages

    def recv(self) -> list | None:
        """Block until at least one message arrives; None when the other end has closed."""
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except ConnectionError:
                return None
            if not data:
                return None
            messages = self.feed(data)
            if messages:
                return messages

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
