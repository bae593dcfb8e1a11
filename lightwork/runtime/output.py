"""A work's stdout and stderr: whole lines, each written at once and prefixed with the work's name."""
from __future__ import annotations

import io
import os
import threading


class PrefixedLines(io.TextIOBase):
    """Text stream writing `<prefix>line` per complete line straight to a file descriptor.

    A partial line waits for its newline (print() writes the text and the newline separately) or for flush().
    """

    def __init__(self, fd: int, prefix: str, copy_fd: int | None = None) -> None:
        self._fd, self._prefix = fd, prefix
        self._copy_fd = copy_fd  # also gets each line, without the prefix (the work's log for the web UI)
        self._lock = threading.Lock()
        self._pending = ""
        self._mid_line = False  # a partial line was flushed: the rest of it gets no prefix

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            cut = self._pending.rfind("\n") + 1
            if cut:
                lines, self._pending = self._pending[:cut], self._pending[cut:]
                self._emit(lines.splitlines(keepends=True))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._emit([self._pending])
                self._pending = ""

    def _emit(self, lines: list) -> None:
        data, plain = bytearray(), bytearray()
        for line in lines:
            if not self._mid_line:
                data += self._prefix.encode()
            encoded = line.encode("utf-8", "replace")
            data += encoded
            plain += encoded
            self._mid_line = not line.endswith("\n")
        _write_all(self._fd, bytes(data))
        if self._copy_fd is not None:
            try:
                _write_all(self._copy_fd, bytes(plain))
            except OSError:  # a full disk or a removed log must not fail the work
                self._copy_fd = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    @property
    def encoding(self) -> str:
        return "utf-8"


class ForwardedLines(PrefixedLines):
    """Complete lines passed to `send` (a work's output sent to the app, which shows it as its own works')."""

    def __init__(self, fd: int, send) -> None:
        super().__init__(fd, "")
        self._send = send

    def _emit(self, lines: list) -> None:
        self._send(fd=self._fd, text="".join(lines))

    def isatty(self) -> bool:
        return False


LOG_DIR_VARIABLE = "LIGHTWORK_LOG_DIR"  # set by `lightwork run` when its server shows the works' output
LOG_FOLDER_PREFIX = "lightwork-logs-"  # + the app's pid: the temporary folder of those logs


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def open_work_log(name: str) -> int | None:
    """The file descriptor of the work's log in LIGHTWORK_LOG_DIR (appended to), or None."""
    folder = os.environ.get(LOG_DIR_VARIABLE)
    if not folder:
        return None
    try:
        return os.open(os.path.join(folder, name + ".log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return None
