"""Changes to the app's state from outside (the web UI, the state API, `AppState` clients).

Only state attributes can change, as the flow itself would change them: a delta is checked whole before
any of it is applied, so a refused delta changes nothing. Run these in the loop's thread.
"""
from __future__ import annotations

import contextlib
import math
from typing import Any

from ..core.codec import TAG, from_json, to_json
from ..core.component import check_json
from ..core.delta import apply_change, format_path, iter_changes, same

MAX_DEPTH = 100  # levels of lists and dicts a value from outside may nest (deeper ones are refused)


class Refused(ValueError):
    """A change the app does not accept; the message says what was wrong."""


def apply_external_delta(root, delta: Any) -> int:
    """Apply a DeepDiff-format delta over the whole state tree to the components; return how many values
    changed. Raises Refused (and changes nothing) for anything but JSON values of declared attributes."""
    if not isinstance(delta, dict):
        raise Refused(f"a delta is a JSON object of change kinds, not {type(delta).__name__}")
    with _not_too_deep():
        components = {c._lw_path: c for c in root._lw_components()}
        values = _checked_values(components, delta)
    changed = 0
    for (path, name), value in values.items():
        component = components[path]
        if not same(to_json(getattr(component, name)), value):
            setattr(component, name, from_json(value))
            changed += 1
    return changed


@contextlib.contextmanager
def _not_too_deep():
    """Python's recursion limit, reached by a value nested hundreds deep, as a Refused."""
    try:
        yield
    except RecursionError:
        raise Refused(f"a value nests deeper than {MAX_DEPTH} levels") from None


def _checked_values(components: dict, delta: dict) -> dict:
    """(component path, attribute) -> the attribute's new JSON value; Refused for anything not allowed."""
    try:
        changes = list(iter_changes(delta))
    except ValueError as exc:
        raise Refused(str(exc)) from None
    values: dict = {}  # (component path, attribute) -> the attribute's new JSON value
    for kind, path, value in changes:
        _check_value(path, value)
        component, rest = _owner(components, path)
        name = rest[0]
        key = (component._lw_path, name)
        if key not in values:
            values[key] = to_json(getattr(component, name))
        if len(rest) == 1:
            if kind.endswith("_removed"):
                raise Refused(f"{format_path(path)}: a state attribute cannot be removed")
            values[key] = to_json(value)
            continue
        holder = {name: values[key]}
        try:
            apply_change(holder, kind, rest, to_json(value))
        except (KeyError, IndexError, TypeError, AttributeError):
            raise Refused(f"{format_path(path)} is not in the state: the delta does not fit it") from None
        values[key] = holder[name]
    for (path, name), value in values.items():  # every value checked before the first is set
        component = components[path]
        try:
            check_json(type(component).__name__, name, from_json(value))
        except TypeError as exc:
            raise Refused(str(exc)) from None
    return values


def delta_from_state(root, state: Any) -> dict:
    """The delta that makes the components' attributes what the full state tree `state` says; parts of the
    tree other than components' vars (statuses, a work's server) are ignored."""
    if not isinstance(state, dict):
        raise Refused(f"the state is a JSON object (as GET /api/v1/state returns), not {type(state).__name__}")
    with _not_too_deep():
        return _delta_to(root, state)


def _delta_to(root, state: dict) -> dict:
    changed: dict = {}
    for component in root._lw_components():
        node = state
        for key in component._lw_path + ("vars",):
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            continue
        if not isinstance(node, dict):
            raise Refused(f"{format_path(component._lw_path + ('vars',))} must be a JSON object")
        extra = component._lw_extra_vars()
        for name, value in node.items():
            if name in extra:
                continue
            path = component._lw_path + ("vars", name)
            if name not in component._lw_vars:
                raise Refused(_undeclared(component, name, path))
            if not same(value, to_json(getattr(component, name))):
                changed[format_path(path)] = {"new_value": value}
    return {"values_changed": changed} if changed else {}


def _owner(components: dict, path: tuple):
    """(component, path below its vars) for a path into some component's state attributes."""
    for cut in range(len(path) - 1, -1, -1):
        component = components.get(path[:cut])
        if component is not None and path[cut : cut + 1] == ("vars",):
            rest = path[cut + 1 :]
            if not rest:
                break
            if rest[0] not in component._lw_vars:
                raise Refused(_undeclared(component, rest[0], path))
            return component, rest
    raise Refused(f"{format_path(path)} is not a state attribute: only paths like root['vars']['name'] or "
                  f"root['works']['w']['vars']['name'] can change")


def _undeclared(component, name, path) -> str:
    return (f"{format_path(path)}: {type(component).__name__} ({component.name}) has no state attribute "
            f"{name!r} (state attributes are the public ones its __init__ sets)")


def _check_value(path: tuple, value: Any) -> None:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused(f"{format_path(path)}: the value nests deeper than {MAX_DEPTH} levels")
        if isinstance(item, float) and not math.isfinite(item):
            raise Refused(f"{format_path(path)}: {item} is not a JSON value")
        if isinstance(item, dict):
            if TAG in item:
                raise Refused(f"{format_path(path)}: storage references (Payload, Drive, Path) cannot be set from outside the app")
            stack.extend((inner, depth + 1) for inner in item.values())
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif not isinstance(item, (str, int, float, bool, type(None))):
            raise Refused(f"{format_path(path)}: a {type(item).__name__} is not a JSON value")
