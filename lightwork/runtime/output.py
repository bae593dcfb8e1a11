"""A work's stdout and stderr: whole lines, each written at once and prefixed with the work's name."""
from __future__ import annotations

import io
import os
import threading


class PrefixedLines(io.TextIOBase):
    """Text stream writing `<prefix>line` per line straight to a file descriptor."""

    def __init__(self, fd: int, prefix: str) -> None:
        self._fd, self._prefix = fd, prefix.encode()
        self._lock = threading.Lock()
        self._at_line_start = True

    def write(self, text: str) -> int:
        if not text:
            return 0
        data = bytearray()
        for line in text.splitlines(keepends=True):
            if self._at_line_start:
                data += self._prefix
            data += line.encode("utf-8", "replace")
            self._at_line_start = line.endswith("\n")
        with self._lock:
            view = memoryview(bytes(data))
            while view:
                view = view[os.write(self._fd, view) :]
        return len(text)

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    @property
    def encoding(self) -> str:
        return "utf-8"
