"""LightningFlow: the orchestrator whose `run()` the app loop executes again on every change."""
from __future__ import annotations

import json

from . import context
from .component import Component


class AppStop(BaseException):
    """Raised by `flow.stop()` / `flow.fail()` to end the app; `failed` selects exit code 1."""

    def __init__(self, message: str = "", failed: bool = False) -> None:
        super().__init__(message)
        self.message, self.failed = message, failed


_CRON_ALIASES = {name: f"@{name}" for name in ("hourly", "daily", "weekly", "monthly", "yearly", "annually", "midnight")}


class LightningFlow(Component):
    """Owns the app's logic and its child flows and works."""

    _lw_group = "flows"

    def run(self, *args, **kwargs) -> None:
        """Override: the orchestration step, run again whenever the app's state changes."""

    def stop(self, end_msg: str = "") -> None:
        """End the app: every work is stopped and `lightwork run` exits with code 0."""
        raise AppStop(end_msg)

    def fail(self, end_msg: str = "") -> None:
        """End the app as failed: every work is stopped and `lightwork run` exits with code 1."""
        raise AppStop(end_msg, failed=True)

    def _exit(self, end_msg: str = "") -> None:
        """Lightning Apps' deprecated spelling of `stop()`, which apps written for it still call."""
        import warnings

        warnings.warn("LightningFlow._exit() is deprecated: call self.stop() instead", DeprecationWarning, stacklevel=2)
        self.stop(end_msg)

    def schedule(self, cron_pattern: str, start_time=None, user_key: str | None = None) -> bool:
        """True at the first call, then in the first pass after each time `cron_pattern` names
        ("*/5 * * * *", or "hourly", "daily", "weekly", "monthly", "yearly", "midnight"); else False.

        Each call site (or `user_key`) is a schedule of its own, counted from `start_time` (default: its first
        call), in local time. The app runs a pass when the next time comes, even if nothing else changed.
        """
        import datetime
        import inspect

        from croniter import croniter

        if user_key is None:
            caller = inspect.currentframe().f_back
            user_key = f"{cron_pattern}:{caller.f_code.co_filename}:{caller.f_lineno}"
        pattern = _CRON_ALIASES.get(cron_pattern, cron_pattern)
        now = datetime.datetime.now()
        schedules = self.__dict__.setdefault("_lw_schedules", {})
        if user_key not in schedules:
            if not isinstance(pattern, str) or not croniter.is_valid(pattern):
                raise ValueError(f"{self.name}.schedule({cron_pattern!r}): not a cron pattern; use five fields such as '0 * * * *' or one of {', '.join(_CRON_ALIASES)}")
            times = schedules[user_key] = croniter(pattern, start_time or now)
            times.get_next(datetime.datetime)
            due = True
        else:
            times = schedules[user_key]
            due = times.get_current(datetime.datetime) <= now
            while due and times.get_next(datetime.datetime) <= now:  # missed times (a long pass) fire once
                pass
        context.wake_in((times.get_current(datetime.datetime) - now).total_seconds())
        return due

    def configure_layout(self):
        """Override to describe the UI: a list of `{"name": ..., "content": URL, work, flow or Frontend}` tabs.
        By default, a tab per child flow (in Lists and Dicts too), named by its place under this flow; a child
        without a UI gives none."""
        skip = len(self.name) + 1
        return [{"name": flow.name[skip:], "content": flow} for flow in self._lw_child_flows()]

    def configure_api(self):
        """Override to add HTTP routes: a list of `lightning.app.api` Post/Get/Put/Delete."""
        return None

    def configure_commands(self):
        """Override to add commands for `lightwork command`: a list of `{"name": self.method}`."""
        return None

    def works(self, recurse: bool = True) -> list:
        """The works below this flow, as Lightning Apps ordered them: its own (by attribute name), then with
        `recurse` those of its child flows (by attribute name), then those in its Lists and Dicts (by attribute
        name, in item order). `recurse=False`: its own works and the works directly in its Lists and Dicts."""
        children = sorted(self._lw_children.items())
        found = [child for _, child in children if getattr(child, "_lw_group", None) == "works"]
        if recurse:
            for _, child in children:
                if getattr(child, "_lw_group", None) == "flows":
                    found.extend(child.works())
        for _, child in children:
            if not isinstance(child, Component):
                found.extend(child.works if recurse else [i for _, i in child._lw_items() if i._lw_group == "works"])
        return found

    def _lw_child_flows(self) -> list:
        """The flows directly below this one: its attributes, and the items of its Lists and Dicts."""
        found = []
        for child in self._lw_children.values():
            if getattr(child, "_lw_group", None) == "flows":
                found.append(child)
            elif not isinstance(child, Component):
                found.extend(item for _, item in child._lw_items() if item._lw_group == "flows")
        return found

    def named_works(self, recurse: bool = True) -> list:
        """`[(work.name, work), ...]` for `works(recurse)`."""
        return [(work.name, work) for work in self.works(recurse)]

    @property
    def flows(self) -> dict:
        """Every flow below this one, by name: each child flow (by attribute name) followed by its own flows,
        then those in its Lists and Dicts (by attribute name), as Lightning Apps ordered them."""
        children = sorted(self._lw_children.items())
        found = {}
        for _, child in children:
            if getattr(child, "_lw_group", None) == "flows":
                found[child.name] = child
                found.update(child.flows)
        for _, child in children:
            if not isinstance(child, Component):
                found.update(child.flows)
        return found

    def experimental_iterate(self, iterable, run_once: bool = True, user_key: str = ""):
        """Iterate `iterable` so that a pass cut short (by a blocking work call) resumes at the item it was on
        instead of starting over; once finished, later passes get nothing (or, with run_once=False, start over).

        Each call site (or `user_key`) keeps its place in the flow's state (`calls`), so `set_state` restores it.
        """
        import collections.abc
        import hashlib
        import inspect

        if not isinstance(iterable, collections.abc.Iterable):
            raise TypeError(f"{self.name}.experimental_iterate() needs an iterable, not {type(iterable).__name__}")
        if not user_key:
            caller = inspect.currentframe().f_back
            user_key = f"{caller.f_code.co_filename}:{caller.f_lineno}"
        key = f"experimental_iterate:{hashlib.sha1(user_key.encode()).hexdigest()[:16]}"
        calls = self._lw_calls()
        record = calls.get(key)
        if record is not None and record["has_finished"]:
            if run_once:
                return iter(())
            record = None
        if record is None or record["counter"] == 0:
            record = calls[key] = {"name": "experimental_iterate", "call_hash": key, "counter": 0, "has_finished": False}
        return _resume(iterable, record)

    def _lw_calls(self) -> dict:
        """The flow's records of `experimental_iterate` call sites (shown as `calls` in its state)."""
        return self.__dict__.setdefault("_lw_iterations", {})

    def _lw_extra_state(self) -> dict:
        return {"calls": json.loads(json.dumps(self._lw_calls())), "changes": {}}

    def set_state(self, provided_state: dict, recurse: bool = True) -> None:
        """Take a state from `flow.state` back: this flow's vars and, with `recurse`, those of every
        component below it that the state names (KeyError for one this flow does not have)."""
        super().set_state(provided_state)
        calls = provided_state.get("calls") or {}
        iterations = {key: value for key, value in calls.items() if key.startswith("experimental_iterate:")}
        self._lw_calls().update(json.loads(json.dumps(iterations)))
        if not recurse:
            return
        for group in ("flows", "works", "structures"):
            for name, child_state in provided_state.get(group, {}).items():
                child = self._lw_children.get(name)
                if child is None:
                    raise KeyError(f"{self.name}.set_state(): the state has {group[:-1]} {name!r}, which this flow does not have")
                child.set_state(child_state)


def _resume(iterable, record: dict):
    """Yield `iterable` from item `record["counter"]` on, keeping the counter at the item being handed out."""
    skip = record["counter"]
    for index, value in enumerate(iterable):
        if index < skip:
            continue
        record["counter"] = index
        yield value
    record["has_finished"] = True


LightningFlow._lw_reserved = frozenset(n for n in dir(LightningFlow) if not n.startswith("_"))
