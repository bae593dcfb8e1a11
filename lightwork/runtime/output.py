"""A work's stdout and stderr: whole lines, each written at once and prefixed with the work's name."""
from __future__ import annotations

import io
import os
import threading


class PrefixedLines(io.TextIOBase):
    """Text stream writing `<prefix>line` per complete line straight to a file descriptor.

    A partial line waits for its newline (print() writes the text and the newline separately) or for flush().
    """

    def __init__(self, fd: int, prefix: str) -> None:
        self._fd, self._prefix = fd, prefix
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
        data = bytearray()
        for line in lines:
            if not self._mid_line:
                data += self._prefix.encode()
            data += line.encode("utf-8", "replace")
            self._mid_line = not line.endswith("\n")
        view = memoryview(bytes(data))
        while view:
            view = view[os.write(self._fd, view) :]

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    @property
    def encoding(self) -> str:
        return "utf-8"
