"""Ctrl+C in the `lightwork` command: exit 130, print nothing and leave nothing running, whenever it arrives.

While Python is still importing the command, nothing exists to clean up, so a Ctrl+C ends the process at
once. From then on (`INTERRUPTS.install()`), a Ctrl+C or a SIGTERM raises KeyboardInterrupt in the main
thread, and what runs ends through its `finally` blocks (exit code 130, or 143 for a SIGTERM); while the app
is being started it is held until the start is complete (a second one does not wait), and once cleanup has
begun it is only counted, so cleanup is never cut short. Stdlib only: `lightwork/__init__.py` imports it first.
"""
from __future__ import annotations

import os
import signal
import sys

EXIT_CODE = 128 + signal.SIGINT


def guard_command_start() -> None:
    """If this process is the `lightwork` command, make a Ctrl+C exit 130 at once until `install()` runs."""
    if _is_the_command() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _exit_at_once)


def _is_the_command() -> bool:
    if sys.argv and os.path.basename(sys.argv[0]) == "lightwork":  # the console script
        return True
    words = list(getattr(sys, "orig_argv", ()))
    return "-m" in words and words[words.index("-m") + 1 : words.index("-m") + 2] == ["lightwork"]


def _exit_at_once(signum, frame) -> None:
    os._exit(EXIT_CODE)


class Interrupts:
    """The command's SIGINT and SIGTERM policy; `count` is how many arrived, `exit_code` says which came first."""

    def __init__(self) -> None:
        self.count = 0
        self.exit_code = EXIT_CODE
        self.held = 0  # > 0 while the app is being started
        self.waiting = 0  # Ctrl+C held back since the start began
        self.stopping = False  # cleanup has begun: never raise again

    def install(self) -> None:
        ours_to_take = {signal.SIGINT: (signal.default_int_handler, _exit_at_once), signal.SIGTERM: (signal.SIG_DFL,)}
        for signum, untouched in ours_to_take.items():
            if signal.getsignal(signum) in untouched:  # not when ignored
                try:
                    signal.signal(signum, self._on_signal)
                except ValueError:  # not the main thread (the command called from a test's thread): leave it as it is
                    return

    def _on_signal(self, signum, frame) -> None:
        if not self.count:
            self.exit_code = 128 + signum
        self.count += 1
        if self.stopping:
            return
        if self.held:
            self.waiting += 1
            if self.waiting == 1:
                return
        raise KeyboardInterrupt

    def holding(self) -> "_Held":
        """`with INTERRUPTS.holding():` a first Ctrl+C inside waits for the block's end, then raises there."""
        return _Held(self)


class _Held:
    def __init__(self, interrupts: Interrupts) -> None:
        self._interrupts = interrupts

    def __enter__(self) -> None:
        self._interrupts.held += 1

    def __exit__(self, *exc) -> None:
        interrupts = self._interrupts
        interrupts.held -= 1
        if interrupts.held or not interrupts.waiting:
            return
        interrupts.waiting = 0
        if exc[0] is None and not interrupts.stopping:
            raise KeyboardInterrupt


INTERRUPTS = Interrupts()
