"""Flows' `configure_layout()`: collected when the app starts (which Frontends run) and again between passes
(the tabs, which may follow the state), resolved to URLs on each request.

A layout is a list of tabs `{"name": ..., "content": ...}` (a single tab or a Frontend alone are accepted
too); content is a URL, a work (its server), a child flow (its own layout) or a Frontend. A flow that does
not define one shows its child flows (`LightningFlow.configure_layout`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LayoutError(ValueError):
    """A flow's configure_layout() returned something that is not a layout; the message names the flow."""


@dataclass
class Tab:
    name: str
    kind: str  # "url", "work", "frontend", or "flow" until it is replaced by the flow's own tabs
    value: Any  # the URL, the work, the frontend's key in the app's frontends, or the flow


def collect_layouts(root) -> tuple[list[Tab], dict]:
    """(the app's tabs, {key: Frontend}): every flow's layout is read once, and every Frontend any flow returns
    is kept (and so started), whether the root's layout shows it or not; the tabs come from the root's."""
    from ..core.flow import LightningFlow

    frontends: dict = {}
    layouts = {flow.name: _read_layout(flow, frontends, LightningFlow)
               for flow in root._lw_components() if flow._lw_group == "flows"}
    return _expand(root, layouts, frontends, LightningFlow, path=()), frontends


def _read_layout(flow, frontends: dict, flow_type) -> list[Tab]:
    """The flow's own tabs, checked; a tab showing another flow is a Tab of kind "flow" (expanded later)."""
    from ..core.work import LightningWork
    from ..frontend import Frontend

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
            tabs.append(Tab(name, "flow", content))
        elif isinstance(content, Frontend):
            tabs.append(_frontend_tab(name, content, flow, f"{flow.name}.{index}", frontends))
        else:
            raise LayoutError(f"{flow.name}.configure_layout() tab {name!r} has content of type "
                              f"{type(content).__name__}: use a URL, a work, a flow or a Frontend")
    return tabs


def _expand(flow, layouts: dict, frontends: dict, flow_type, path: tuple) -> list[Tab]:
    """The flow's tabs with each flow tab replaced by that flow's own tabs (a flow may be shown twice, but not
    inside itself)."""
    if flow.name in path:
        raise LayoutError(f"{flow.name}.configure_layout() includes itself")
    if flow.name not in layouts:  # a flow outside the app's tree: read when shown
        layouts[flow.name] = _read_layout(flow, frontends, flow_type)
    tabs = []
    for tab in layouts[flow.name]:
        if tab.kind != "flow":
            tabs.append(Tab(tab.name, tab.kind, tab.value))
            continue
        inner = _expand(tab.value, layouts, frontends, flow_type, path + (flow.name,))
        if len(inner) == 1:
            inner[0].name = tab.name  # a child flow showing one thing: the tab is named by its parent
        tabs.extend(inner)
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
