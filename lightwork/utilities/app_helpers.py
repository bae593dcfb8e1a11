"""Helpers kept at Lightning Apps' import paths: `pretty_state`, `Logger`, `is_overridden`, `affiliation`,
`LightningJSONEncoder`, and two that components import: `_collect_child_process_pids`, `_LightningAppRef`."""
from __future__ import annotations

import json
import logging
import os

from ..core.state import pretty_state
from .state import AppStatePlugin, BaseStatePlugin, _names

__all__ = ["AppStatePlugin", "BaseStatePlugin", "LightningJSONEncoder", "Logger", "affiliation", "is_overridden",
           "pretty_state", "_LightningAppRef", "_collect_child_process_pids"]


class Logger:
    """Lightning Apps' logger: `Logger(__name__).info(...)`; its level is INFO, DEBUG when LIGHTNING_DEBUG=1."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)
        if self.logger.level == logging.NOTSET:
            self.logger.setLevel(logging.DEBUG if os.environ.get("LIGHTNING_DEBUG", "0") not in ("", "0") else logging.INFO)
        if not logging.getLogger().handlers and not self.logger.handlers:  # shown even where nothing set logging up
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
            self.logger.addHandler(handler)

    def info(self, msg, *args, **kwargs) -> None:
        self.logger.info(msg, *args, **kwargs)

    def warn(self, msg, *args, **kwargs) -> None:
        self.logger.warning(msg, *args, **kwargs)

    warning = warn

    def debug(self, msg, *args, **kwargs) -> None:
        self.logger.debug(msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs) -> None:
        self.logger.error(msg, *args, **kwargs)


def is_overridden(method_name: str, instance=None, parent=None) -> bool:
    """Whether `instance`'s class overrides `method_name` of `parent` (by default its flow or work base); False
    for no instance, ValueError when `parent` is needed and not given."""
    from ..core.flow import LightningFlow
    from ..core.work import LightningWork

    if instance is None:
        return False
    if parent is None:
        if not isinstance(instance, (LightningFlow, LightningWork)):
            raise ValueError(f"is_overridden({method_name!r}, {type(instance).__name__} object): the instance is not "
                             f"a LightningFlow or LightningWork, or pass parent= the class to compare with")
        parent = LightningWork if isinstance(instance, LightningWork) else LightningFlow
    own = getattr(type(instance), method_name, None)
    return own is not None and own is not getattr(parent, method_name, None)


class LightningJSONEncoder(json.JSONEncoder):
    """`json.dumps(..., cls=LightningJSONEncoder)`: an object with a `__json__()` method (a storage Path) is
    written as what that returns."""

    def default(self, obj):
        if callable(getattr(obj, "__json__", None)):
            return obj.__json__()
        return super().default(obj)


def affiliation(component) -> tuple:
    """The attribute names leading from the root flow to `component`: `()` for the root, `("b", "c1")` for
    `root.b.c1` (List and Dict items by their keys)."""
    return _names(component)


def _collect_child_process_pids(pid: int) -> list[int]:
    """The pids of the processes whose parent is `pid` (what a work started), for the work to end them."""
    children = []
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (not Linux): ask ps
        import subprocess

        table = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
        return [int(child) for child, parent in (line.split() for line in table.splitlines()) if int(parent) == pid]
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(entry))
    return sorted(children)


class _LightningAppRef:
    """The LightningApp made in this process (the app's process; None in a work's)."""

    _app_instance = None

    @classmethod
    def connect(cls, app_instance) -> None:
        cls._app_instance = app_instance

    @classmethod
    def get_current(cls):
        return cls._app_instance
