"""`AppInfo`, at Lightning Apps' path (`lightning.app.utilities.frontend`)."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AppInfo"]


@dataclass
class AppInfo:
    """The page details `LightningApp(info=...)` takes; lightwork keeps them on the app and its web UI does
    not use them."""

    title: str | None = None
    favicon: str | None = None
    description: str | None = None
    image: str | None = None
    meta_tags: list[str] | None = None
    on_connect_end: str | None = None
