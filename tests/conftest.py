"""Shared fixtures: run real `lightwork run` processes and make sure none of their processes outlive a test."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "lightwork"
COMMAND = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "lightwork"]


def processes_with(token: str) -> list[int]:
    """Pids of live processes whose environment carries `token` (every process a run starts inherits it)."""
    found = []
    needle = f"LIGHTWORK_TEST_TOKEN={token}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    with open(f"/proc/{entry}/stat") as stat:
                        if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                            found.append(int(entry))
        except OSError:
            continue
    return found


class AppRun:
    """One `lightwork run` process with its output collected line by line."""

    def __init__(self, args: list[str], cwd: Path, env: dict | None = None) -> None:
        self.token = uuid.uuid4().hex
        full_env = {**os.environ, **(env or {}), "LIGHTWORK_TEST_TOKEN": self.token, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            COMMAND + args, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _pump(self, stream, lines: list) -> None:
        for line in stream:
            with self._changed:
                lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stdout(self) -> str:
        return "\n".join(self.stdout_lines)

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def wait_for(self, predicate, timeout: float = 20.0) -> None:
        """Wait until `predicate(stdout_lines)` is true; fail with the output so far if it never is."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.stdout_lines):
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not any(r.is_alive() for r in self._readers)):
                    pytest.fail(f"output never matched\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}")
                self._changed.wait(min(left, 0.1))

    def wait_line(self, text: str, timeout: float = 20.0) -> None:
        self.wait_for(lambda lines: any(text in line for line in lines), timeout)

    def wait(self, timeout: float = 30.0) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"lightwork run did not end in {timeout}s\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}")
        for reader in self._readers:
            reader.join(5)
        return code

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def processes(self) -> list[int]:
        return processes_with(self.token)

    def leftovers(self, timeout: float = 3.0) -> list[int]:
        """Processes of this run still alive `timeout` seconds after it ended (none is the goal)."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.processes()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.05)

    def cleanup(self) -> list[int]:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        left = self.leftovers()
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        return left


@pytest.fixture
def lightwork(tmp_path):
    """`lightwork(source_or_args, env=...)` starts `lightwork run` on an app source (or raw CLI args)."""
    runs: list[AppRun] = []

    def start(app: str | list, env: dict | None = None, name: str = "app.py") -> AppRun:
        if isinstance(app, str):
            (tmp_path / name).write_text(textwrap.dedent(app))
            args = ["run", name]
        else:
            args = list(app)
        run = AppRun(args, tmp_path, env)
        runs.append(run)
        return run

    yield start
    leaked = {run.token: run.cleanup() for run in runs}
    leaked = {token: pids for token, pids in leaked.items() if pids}
    assert not leaked, f"processes left behind (killed now): {leaked}"
