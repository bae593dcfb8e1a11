"""`apply_to_collection`, at Lightning Apps' path (`lightning.app.utilities.apply_func`)."""
from __future__ import annotations

import copy
import dataclasses
from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence

__all__ = ["apply_to_collection"]


def apply_to_collection(data, dtype, function, *args, wrong_dtype=None, include_none: bool = True, **kwargs):
    """`function(x, *args, **kwargs)` for every `x` of type `dtype` (and not of `wrong_dtype`) in `data`:
    through mappings, sequences, named tuples and dataclasses, which come back as copies of their type.
    Results that are None are dropped from collections unless `include_none`."""

    def apply(value):
        if isinstance(value, dtype) and (wrong_dtype is None or not isinstance(value, wrong_dtype)):
            return function(value, *args, **kwargs)
        if isinstance(value, Mapping):
            items = [(k, apply(v)) for k, v in value.items()]
            items = [(k, v) for k, v in items if include_none or v is not None]
            if isinstance(value, defaultdict):
                return type(value)(value.default_factory, OrderedDict(items))
            return type(value)(OrderedDict(items))
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
            return type(value)(*(apply(v) for v in value))
        if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            out = [apply(v) for v in value]
            return type(value)(v for v in out if include_none or v is not None)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            result = copy.copy(value)
            for field in dataclasses.fields(value):
                object.__setattr__(result, field.name, apply(getattr(value, field.name)))  # frozen ones too
            return result
        return value

    return apply(data)
