"""LightningFlow: the orchestrator whose `run()` the app loop executes again on every change."""
from __future__ import annotations

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
        """The works below this flow (direct children only with recurse=False)."""
        if recurse:
            return [c for c in self._lw_components() if c._lw_group == "works"]
        found = []
        for child in self._lw_children.values():
            if getattr(child, "_lw_group", None) == "works":
                found.append(child)
            elif not isinstance(child, Component):
                found.extend(item for _, item in child._lw_items() if item._lw_group == "works")
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
        """Every flow below this one, by name."""
        return {c.name: c for c in self._lw_components() if c._lw_group == "flows" and c is not self}

    def _lw_extra_state(self) -> dict:
        return {"calls": {}, "changes": {}}

    def set_state(self, provided_state: dict, recurse: bool = True) -> None:
        """Take a state from `flow.state` back: this flow's vars and, with `recurse`, those of every
        component below it that the state names (KeyError for one this flow does not have)."""
        super().set_state(provided_state)
        if not recurse:
            return
        for group in ("flows", "works", "structures"):
            for name, child_state in provided_state.get(group, {}).items():
                child = self._lw_children.get(name)
                if child is None:
                    raise KeyError(f"{self.name}.set_state(): the state has {group[:-1]} {name!r}, which this flow does not have")
                child.set_state(child_state)


LightningFlow._lw_reserved = frozenset(n for n in dir(LightningFlow) if not n.startswith("_"))
