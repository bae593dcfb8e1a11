"""Deltas in DeepDiff's tree-path format: computed from two JSON values, applied to a tree.

`{"values_changed": {"root['works']['w']['vars']['counter']": {"new_value": 425}}}` is the public shape.
"""
from __future__ import annotations

import ast
from typing import Any, Iterable, MutableMapping

from .codec import SCALARS, TAG, to_json

Path = tuple  # of str (dict keys) and int (list indexes)

_SET_KINDS = ("values_changed", "type_changes")
_KINDS = (
    "values_changed",
    "type_changes",
    "dictionary_item_removed",
    "iterable_item_removed",
    "dictionary_item_added",
    "iterable_item_added",
)


def _format_key(key) -> str:
    if not isinstance(key, str):
        return f"[{int(key)}]"
    if "'" not in key:
        return f"['{key}']"  # DeepDiff writes keys as they are, without escapes
    if '"' not in key:
        return f'["{key}"]'
    return f"[{key!r}]"  # both quotes: escaped (DeepDiff has no plain form for these)


def format_path(path: Iterable) -> str:
    """`('works', 'w', 0)` -> `root['works']['w'][0]`, as DeepDiff writes paths."""
    return "root" + "".join(_format_key(key) for key in path)


def parse_path(text: str) -> Path:
    """Inverse of format_path; raises ValueError naming the text when it is not a tree path."""
    if not isinstance(text, str) or not text.startswith("root"):
        raise ValueError(f"not a delta path: {text!r}")
    keys, i, n = [], 4, len(text)
    while i < n:
        if text[i] != "[":
            raise ValueError(f"not a delta path: {text!r}")
        if i + 1 < n and text[i + 1] in "'\"":
            quote, j = text[i + 1], i + 2
            # The key ends at the quote that closes this element: followed by ']' and then '[' or the end.
            while j < n and not (text[j] == quote and text[j + 1 : j + 2] == "]" and text[j + 2 : j + 3] in ("", "[")):
                j += 1
            if j >= n:
                raise ValueError(f"not a delta path: {text!r}")
            raw = text[i + 2 : j]
            keys.append(ast.literal_eval(quote + raw + quote) if quote in raw else raw)
            i = j + 2
        else:
            j = text.find("]", i)
            if j < 0 or not text[i + 1 : j].lstrip("-").isdigit():
                raise ValueError(f"not a delta path: {text!r}")
            keys.append(int(text[i + 1 : j]))
            i = j + 1
    return tuple(keys)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values: equal and of the same types (so 1, 1.0 and True differ)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_item(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same_item, a, b))
    return a == b


def _same_item(a: Any, b: Any) -> bool:
    # Scalars inline: a big container of scalars costs no recursive call per item.
    if type(a) is not type(b):
        return False
    return a == b if type(a) in SCALARS else same(a, b)


def matches(value: Any, json_value: Any) -> bool:
    """`same(to_json(value), json_value)` without building the copy."""
    if type(value) in SCALARS:  # most arguments: no attribute lookups
        return type(json_value) is type(value) and value == json_value
    if value is json_value and not isinstance(value, (dict, list)):
        return True
    if isinstance(value, dict):
        return (
            type(json_value) is dict
            and value.keys() == json_value.keys()
            and all(matches(v, json_value[k]) for k, v in value.items())
        )
    if isinstance(value, list):
        return type(json_value) is list and len(value) == len(json_value) and all(map(matches, value, json_value))
    if hasattr(value, "_lw_encode") and not isinstance(value, type):
        return same(value._lw_encode(), json_value)
    return value is json_value or (type(value) is type(json_value) and value == json_value)


def diff(old: Any, new: Any, path: Path = (), into: dict | None = None, whole: bool = False) -> dict:
    """The changes that turn JSON value `old` into `new`: `{kind: {path tuple: value}}`, paths below `path`.

    With `whole`, one entry replaces the value at `path` (a container replaced at once travels as one
    change). Values are parts of `old` and `new`, not copies: write the result out before changing either.
    `public()` writes it in DeepDiff's format, `wire()` with paths as lists (any key survives the trip).
    """
    out = {} if into is None else into
    if same(old, new):
        return out
    if type(old) is not type(new):
        out.setdefault("type_changes", {})[path] = {
            "old_type": type(old).__name__,
            "new_type": type(new).__name__,
            "new_value": new,
        }
    elif whole:
        out.setdefault("values_changed", {})[path] = {"new_value": new}
    elif isinstance(new, dict) and (not path or (TAG not in new and TAG not in old)):  # references change whole
        # (the root itself cannot be replaced: there a dict is compared key by key, whatever its keys)
        for key in old.keys() - new.keys():
            out.setdefault("dictionary_item_removed", {})[path + (key,)] = old[key]
        for key, value in new.items():
            if key in old:
                diff(old[key], value, path + (key,), out)
            else:
                out.setdefault("dictionary_item_added", {})[path + (key,)] = value
    elif isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new)):
            diff(a, b, path + (index,), out)
    elif isinstance(new, list) and len(new) > len(old) and same(old, new[: len(old)]):
        added = out.setdefault("iterable_item_added", {})
        for index in range(len(old), len(new)):
            added[path + (index,)] = new[index]
    elif isinstance(new, list) and len(new) < len(old) and same(new, old[: len(new)]):
        removed = out.setdefault("iterable_item_removed", {})
        for index in range(len(new), len(old)):
            removed[path + (index,)] = old[index]
    else:
        out.setdefault("values_changed", {})[path] = {"new_value": new}
    return out


def public(changes: dict) -> dict:
    """Changes (from `diff`, or in wire form) as a delta in DeepDiff's format: paths written as strings."""
    return {kind: {format_path(path): value for path, value in _entries(kind, entries)} for kind, entries in changes.items()}


def wire(changes: dict) -> dict:
    """Changes from `diff` with each path as a JSON list: `{kind: [[path, value], ...]}`."""
    return {kind: [[list(path), value] for path, value in entries.items()] for kind, entries in changes.items()}


def compute_delta(old: Any, new: Any, path: Path = ()) -> dict:
    """The delta, in DeepDiff's format, that turns JSON value `old` into `new`."""
    return public(diff(old, new, path))


def _entries(kind: str, entries) -> Iterable[tuple[Path, Any]]:
    """(path tuple, value) pairs of one kind, from any of the three forms."""
    if isinstance(entries, list):  # wire form
        for entry in entries:
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], list)
                    and all(type(key) in (str, int) for key in entry[0])):
                raise ValueError(f"bad {kind} entry in a delta: {entry!r:.80}")
            yield tuple(entry[0]), entry[1]
    elif isinstance(entries, dict):
        for path, value in entries.items():
            yield (path if isinstance(path, tuple) else parse_path(path)), value
    else:
        raise ValueError(f"bad {kind} entries in a delta: {entries!r:.80}")


def iter_changes(delta: dict) -> Iterable[tuple[str, Path, Any]]:
    """Yield (kind, path, value) in the order they must be applied, from a delta in DeepDiff's format or in
    wire form; unknown kinds and malformed entries raise ValueError."""
    unknown = set(delta) - set(_KINDS)
    if unknown:
        raise ValueError(f"unknown delta kind(s): {sorted(unknown)}")
    for kind in _KINDS:
        entries = list(_entries(kind, delta.get(kind, {})))
        if kind.endswith("_removed"):
            entries.sort(key=lambda e: e[0], reverse=True)
        elif kind == "iterable_item_added":
            entries.sort(key=lambda e: e[0])
        for path, value in entries:
            if kind in _SET_KINDS:
                if not isinstance(value, dict) or "new_value" not in value:
                    raise ValueError(f"{kind} entry for {format_path(path)} has no new_value")
                value = value["new_value"]
            yield kind, path, value


def apply_change(root: MutableMapping, kind: str, path: Path, value: Any) -> None:
    """Apply one change from iter_changes to the tree `root` (a mapping at the top); `value` is used as is."""
    if not path:
        raise ValueError("a delta cannot replace the root")
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if kind.endswith("_removed"):
        del parent[key]
    elif kind == "iterable_item_added" and key == len(parent):
        parent.append(value)
    elif kind == "iterable_item_added":
        parent.insert(key, value)
    else:
        parent[key] = value


def apply_delta(root: MutableMapping, delta: dict) -> None:
    """Apply a whole delta to `root` in place."""
    for kind, path, value in iter_changes(delta):
        apply_change(root, kind, path, to_json(value))
