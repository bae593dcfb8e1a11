"""Which side of an app this process is: the flow's process, a work's process, or neither (plain Python);
and which runtime `lightwork run` chose, for components that size themselves by it while the app loads."""
from __future__ import annotations

import threading

FLOW, WORK = "flow", "work"
role: str | None = None
loop_thread: int | None = None  # in the flow's process: the thread that runs the app's loop (and all flow code)


def set_role(new_role: str | None) -> None:
    """The app's loop sets FLOW in the thread that will run it (and None when it ends)."""
    global role, loop_thread
    role = new_role
    loop_thread = threading.get_ident() if new_role == FLOW else None


def in_loop_thread() -> bool:
    """Whether this is the thread of the app's loop, which cannot wait for the app to answer a request."""
    return loop_thread is not None and loop_thread == threading.get_ident()


work_name: str | None = None  # in a work's process: the work's name


def set_work(name: str) -> None:
    global role, work_name, loop_thread
    role, work_name, loop_thread = WORK, name, None


runtime: str | None = None  # "process" or "ray" once `lightwork run` chose it, before it loads the app


def set_runtime(name: str | None) -> None:
    global runtime
    runtime = name


# In the flow's process: the times (time.time()) flows asked for a pass at, since the loop last took them.
# Written by flow code during a pass and taken by the loop after it: both run in the loop's thread.
_wakes: set = set()


def wake_in(seconds: float) -> None:
    """Ask the app for a pass of the flows `seconds` from now, even if nothing changes before (schedules and
    components that wait on the clock); outside a running app this does nothing."""
    if role == FLOW:
        import time

        _wakes.add(time.time() + max(0.0, seconds))


def take_wakes() -> set:
    """The wake times asked for since the last call (the loop's side of `wake_in`)."""
    taken = set(_wakes)
    _wakes.clear()
    return taken
