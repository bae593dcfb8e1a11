"""Helpers kept at the peer's import paths: `pretty_state`, `Logger`, `is_overridden`."""
from __future__ import annotations

import logging
import os

from ..core.state import pretty_state
from .state import AppStatePlugin, BaseStatePlugin

__all__ = ["AppStatePlugin", "BaseStatePlugin", "Logger", "is_overridden", "pretty_state"]


class Logger:
    """The peer's logger: `Logger(__name__).info(...)`; its level is INFO, DEBUG when LIGHTNING_DEBUG=1."""

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
