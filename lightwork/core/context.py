"""Which side of an app this process is: the flow's process, a work's process, or neither (plain Python);
and which runtime `lightwork run` chose, for components that size themselves by it while the app loads."""
from __future__ import annotations

FLOW, WORK = "flow", "work"
role: str | None = None


def set_role(new_role: str | None) -> None:
    global role
    role = new_role


work_name: str | None = None  # in a work's process: the work's name


def set_work(name: str) -> None:
    global role, work_name
    role, work_name = WORK, name


runtime: str | None = None  # "process" or "ray" once `lightwork run` chose it, before it loads the app


def set_runtime(name: str | None) -> None:
    global runtime
    runtime = name
