"""State values on the wire: JSON, with storage objects (Payload, Drive, Path) as tagged references.

An object with `_lw_encode()` becomes `{"__lightwork__": kind, ...}`; `from_json` turns those back into
objects through the classes registered for each kind (lightwork.storage registers its own on import).
"""
from __future__ import annotations

import importlib
from typing import Any

TAG = "__lightwork__"
_decoders: dict = {}


def register(kind: str):
    """Class decorator: `cls._lw_decode(reference)` rebuilds objects tagged `kind`."""

    def decorate(cls):
        _decoders[kind] = cls
        return cls

    return decorate


SCALARS = frozenset({str, int, float, bool, type(None)})  # items of these types are handled inline: big
#                                                        containers cost one Python call, not one per item


def to_json(value: Any) -> Any:
    """A deep copy of `value` as plain JSON data; scalars are shared, storage objects become references (a
    tuple stays a tuple here, and is a list once sent as JSON)."""
    if isinstance(value, dict):
        return {k: v if type(v) in SCALARS else to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in SCALARS else to_json(v) for v in value]
    if type(value) is tuple:
        return tuple(v if type(v) in SCALARS else to_json(v) for v in value)
    encode = getattr(value, "_lw_encode", None)
    if encode is not None and not isinstance(value, type):
        return encode()
    return value


def from_json(value: Any) -> Any:
    """Rebuild storage objects from their references inside a JSON value (which it may reuse)."""
    if isinstance(value, dict):
        kind = value.get(TAG)
        if kind is None:
            return {k: v if type(v) in SCALARS else from_json(v) for k, v in value.items()}
        if kind not in _decoders:
            importlib.import_module("lightwork.storage")
        try:
            return _decoders[kind]._lw_decode(value)
        except KeyError:
            raise ValueError(f"unknown reference kind {kind!r} in state") from None
    if isinstance(value, list):
        return [v if type(v) in SCALARS else from_json(v) for v in value]
    return value
