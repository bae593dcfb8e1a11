"""Flows' `configure_layout()`: collected once when the app starts, resolved to URLs on each request.

A layout is a list of tabs `{"name": ..., "content": ...}` (a single tab or a Frontend alone are accepted
too); content is a URL, a work (its server), a child flow (its own layout) or a Frontend.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LayoutError(ValueError):
    """A flow's configure_layout() returned something that is not a layout; the message names the flow."""


@dataclass
class Tab:
    name: str
    kind: str  # "url", "work" or "frontend"
    value: Any  # the URL, the work, or the frontend's key in the app's frontends


def collect_layouts(root) -> tuple[list[Tab], dict]:
    """(the app's tabs, {key: (Frontend, flow)}) from the root flow's layout and the layouts it includes."""
    from ..core.flow import LightningFlow

    frontends: dict = {}
    tabs = _flow_tabs(root, frontends, LightningFlow, seen=set())
    return tabs, frontends


def _flow_tabs(flow, frontends: dict, flow_type, seen: set) -> list[Tab]:
    from ..core.work import LightningWork
    from ..frontend import Frontend

    if flow.name in seen:
        raise LayoutError(f"{flow.name}.configure_layout() includes itself")
    seen.add(flow.name)
    layout = flow.configure_layout()
    if layout is None:
        return []
    if isinstance(layout, Frontend):
        return [_frontend_tab(flow.name.rsplit(".", 1)[-1], layout, flow, flow.name, frontends)]
    if isinstance(layout, dict):
        layout = [layout]
    if not isinstance(layout, (list, tuple)):
        raise LayoutError(f"{flow.name}.configure_layout() returned a {type(layout).__name__}: return a list of "
                          f"{{'name': ..., 'content': ...}} tabs, one such tab, or a Frontend")
    tabs = []
    for index, entry in enumerate(layout):
        if not isinstance(entry, dict) or "content" not in entry:
            raise LayoutError(f"{flow.name}.configure_layout() tab {index} is not a {{'name': ..., 'content': ...}} dict")
        content = entry["content"]
        name = str(entry.get("name") or getattr(content, "name", "") or f"tab {index + 1}")
        if isinstance(content, str):
            tabs.append(Tab(name, "url", content))
        elif isinstance(content, LightningWork):
            tabs.append(Tab(name, "work", content))
        elif isinstance(content, flow_type):
            inner = _flow_tabs(content, frontends, flow_type, seen)
            if len(inner) == 1:
                inner[0].name = name  # a child flow showing one thing: the tab is named by its parent
            tabs.extend(inner)
        elif isinstance(content, Frontend):
            tabs.append(_frontend_tab(name, content, flow, f"{flow.name}.{index}", frontends))
        else:
            raise LayoutError(f"{flow.name}.configure_layout() tab {name!r} has content of type "
                              f"{type(content).__name__}: use a URL, a work, a flow or a Frontend")
    return tabs


def _frontend_tab(name: str, frontend, flow, key: str, frontends: dict) -> Tab:
    frontend.flow = flow
    frontends[key] = frontend
    return Tab(name, "frontend", key)


def resolve_layout(layout: tuple[list[Tab], dict], frontend_urls: dict) -> list[dict]:
    """The tabs as JSON: `[{"name", "type", "content", "target"}]`; `target` is the URL to show ("" until a
    work's server answers)."""
    tabs, _ = layout
    resolved = []
    for tab in tabs:
        if tab.kind == "url":
            resolved.append({"name": tab.name, "type": "url", "content": tab.value, "target": tab.value})
        elif tab.kind == "work":
            resolved.append({"name": tab.name, "type": "work", "content": tab.value.name, "target": tab.value.url})
        else:
            resolved.append({"name": tab.name, "type": "frontend", "content": tab.value,
                             "target": frontend_urls.get(tab.value, "")})
    return resolved
