"""A helper process that cleans up after a Ray app when it ends, even if it was killed.

The helper (when asked) starts a local Ray instance for the app and prints its address; then it waits for its
standard input to close (the app ended, or was killed), stops that Ray, kills whatever Ray process is left
below it, and removes the app's temporary folders on this machine. It is a child subreaper, so Ray's
processes stay below it even when their own parents die first, and it has its own session, so a Ctrl+C in
the terminal reaches the app, which stops its works first.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

STOP_WAIT = 10.0  # seconds the helper has to stop Ray after the app asks


def prefer_token_auth() -> None:
    """Ask Ray for token authentication (its default for new local instances), before Ray is imported: Ray
    reads the mode once, and the app must join its instance with the mode the helper started it with."""
    os.environ.setdefault("RAY_AUTH_MODE", "token")


class Caretaker:
    """Starts the helper: with `start_ray`, a local Ray instance at `address` (for `ray.init`); `stop()` ends
    it and removes the `cleanup` folders (the helper does that too if this process is killed)."""

    def __init__(self, cleanup: list, start_ray: bool, timeout: float = 60.0) -> None:
        command = [sys.executable, "-m", __name__, "--start-ray" if start_ray else "--no-ray", *cleanup]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        self.address = None
        if start_ray:
            line = _read_line(self.proc, timeout)
            if not line.startswith("address "):
                self.stop()
                raise RuntimeError(f"could not start a local Ray instance{': ' + line if line else ''}")
            self.address = line.split(" ", 1)[1]

    def stop(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc.stdout.close()


def _read_line(proc: subprocess.Popen, timeout: float) -> str:
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return f"it did not start within {timeout:g} s"
    return proc.stdout.readline().decode(errors="replace").strip()


def _serve(start_ray: bool, cleanup: list) -> None:
    import logging
    import shutil

    from .forkserver import PR_SET_CHILD_SUBREAPER, _end_descendants, _prctl

    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if start_ray:
            import ray

            try:
                # "local": always a Ray of our own, never one another program announced on this machine
                context = ray.init(address="local", include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
            except Exception as exc:  # noqa: BLE001 - said to the app, which prints it in one line
                print(f"{type(exc).__name__}: {exc}".replace("\n", " "), flush=True)
                return
            print(f"address {context.address_info['address']}", flush=True)
        sys.stdin.buffer.read()  # until the app closes it, or dies
        if start_ray:
            ray.shutdown()
    finally:
        _end_descendants()
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    _serve(sys.argv[1] == "--start-ray", sys.argv[2:])
    os._exit(0)
