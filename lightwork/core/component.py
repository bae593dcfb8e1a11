"""What flows and works share: state attributes fixed by `__init__`, JSON values, names in the tree."""
from __future__ import annotations

import abc
import inspect
import json
from typing import Any, Iterator

from .codec import SCALARS, to_json
from .delta import format_path


class StateValueError(TypeError, AttributeError):
    """A value that cannot be state: a TypeError, and an AttributeError as Lightning Apps raised for it."""


def check_json(owner: str, name: str, value: Any) -> None:
    """Raise StateValueError naming the attribute and the type when `value` is not JSON-serialisable."""
    try:
        json.dumps(to_json(value))
    except (TypeError, ValueError) as exc:
        raise StateValueError(
            f"{owner}.{name} = {type(value).__name__} value: state values must be JSON-serialisable ({exc})"
        ) from None
    check_keys(owner, name, value)


def check_keys(owner: str, name: str, value: Any) -> None:
    """Raise StateValueError naming the attribute and the key when a dict in `value` has a key that is not a
    string (JSON would turn `1` into `"1"`, and the two sides of the app would hold different dicts)."""
    where = non_string_key(value)
    if where is not None:
        key = where[-1]
        raise StateValueError(
            f"{owner}.{name} has the key {key!r} ({type(key).__name__}) at {format_path(where[:-1])}: "
            f"state dict keys must be strings"
        )


def non_string_key(value: Any) -> tuple | None:
    """The path to the first dict key in `value` that is not a string, or None."""
    stack = [(value, ())]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            if not set(map(type, item)) <= {str}:  # a C-level look first: big dicts cost no Python loop
                return where + (next(k for k in item if type(k) is not str),)
            children = item.items()
        elif isinstance(item, (list, tuple)):
            children = enumerate(item)
        else:
            continue
        values = item.values() if isinstance(item, dict) else item
        if not set(map(type, values)) <= SCALARS:
            stack.extend((child, where + (key,)) for key, child in children if type(child) not in SCALARS)
    return None


class _Sealing(abc.ABCMeta):
    """Seals a component's state names once its outermost `__init__` has returned. An ABCMeta, so that a
    component may also derive from `abc.ABC` (as Lightning Apps components do)."""

    def __call__(cls, *args, **kwargs):
        compute = kwargs.pop("cloud_compute") if "cloud_compute" in kwargs and not _accepts(cls, "cloud_compute") else None
        component = super().__call__(*args, **kwargs)
        if compute is not None:  # the seeds pass cloud_compute to works whose __init__ does not take it
            object.__setattr__(component, "_cloud_compute", compute)
        object.__setattr__(component, "_lw_sealed", True)
        return component


def _accepts(cls: type, name: str) -> bool:
    try:
        parameters = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


class Component(metaclass=_Sealing):
    """Base of LightningFlow and LightningWork. Public attributes set in `__init__` are state."""

    _lw_sealed = False
    _lw_reserved: frozenset = frozenset()

    def __init__(self) -> None:
        object.__setattr__(self, "_lw_vars", [])
        object.__setattr__(self, "_lw_children", {})
        object.__setattr__(self, "_lw_name", "root")
        object.__setattr__(self, "_lw_path", ())

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        settable = getattr(type(self), name, None)
        if isinstance(settable, property) and settable.fset is not None:  # the class's own setter decides
            settable.fset(self, value)
            return
        if "_lw_vars" not in vars(self):
            raise AttributeError(
                f"{type(self).__name__}.{name}: call super().__init__() before setting attributes"
            )
        from .structures import Structure, as_structure

        value = as_structure(value, f"{type(self).__name__}.{name}")
        if isinstance(value, (Component, Structure)):
            self._lw_add_child(name, value)
            return
        if name in type(self)._lw_reserved:
            raise AttributeError(
                f"{type(self).__name__}.{name}: the name is taken by a method or property of "
                f"{self._lw_kind()}; choose another attribute name"
            )
        if name in self._lw_children:
            raise AttributeError(f"{type(self).__name__}.{name} holds a component and cannot be replaced by a value")
        if self._lw_sealed and name not in self._lw_vars:
            raise AttributeError(
                f"{type(self).__name__}.{name} was not defined in __init__: state attributes can only be "
                f"added in __init__ (use a name starting with '_' for private values)"
            )
        value = self._lw_convert(value)
        self._lw_check_value(name, value)
        if name not in self._lw_vars:
            self._lw_vars.append(name)
        object.__setattr__(self, name, value)

    def _lw_convert(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("lit://"):  # a file reference: open() works on it
            from ..storage.path import Path

            return Path(value)
        return value

    def _lw_check_value(self, name: str, value: Any) -> None:
        check_json(type(self).__name__, name, value)

    def _lw_extra_vars(self) -> dict:
        """Private values the state tree shows beside the state attributes."""
        return {"_display_name": self._display_name} if self._display_name else {}

    _display_name = ""

    @property
    def display_name(self) -> str:
        """A name for people, shown by the web UI and in a work's output prefix; "" unless set."""
        return self._display_name

    @display_name.setter
    def display_name(self, display_name: str) -> None:
        if getattr(self, "has_started", False) and display_name != self._display_name:
            raise RuntimeError(f"{self.name}.display_name can be set only before the work starts")
        object.__setattr__(self, "_display_name", str(display_name))

    def _lw_kind(self) -> str:
        return type(self).__name__

    def _lw_add_child(self, name: str, child: Any) -> None:
        if name in self._lw_vars:  # `self.server = None` in __init__, a work later: the value leaves the state
            self._lw_vars.remove(name)
        self._lw_children[name] = child
        object.__setattr__(self, name, child)
        child._lw_rename(*self._lw_child_place(name, child))

    def _lw_child_place(self, name: str, child: Any) -> tuple[str, tuple]:
        from .structures import Structure

        group = "structures" if isinstance(child, Structure) else child._lw_group
        return f"{self._lw_name}.{name}", self._lw_path + (group, name)

    def _lw_rename(self, name: str, path: tuple) -> None:
        object.__setattr__(self, "_lw_name", name)
        object.__setattr__(self, "_lw_path", path)
        for attr, child in self._lw_children.items():
            child._lw_rename(*self._lw_child_place(attr, child))

    def _lw_components(self) -> Iterator["Component"]:
        """This component and every component below it, parents first."""
        yield self
        for child in self._lw_children.values():
            yield from child._lw_components()

    @property
    def name(self) -> str:
        """The component's place in the tree: `root`, `root.w`, `root.child.inner`."""
        return self._lw_name

    def _lw_state_values(self) -> dict:
        """The component's own state values, as JSON (a copy): what the loop compares between passes."""
        return {name: to_json(getattr(self, name)) for name in self._lw_vars}

    @property
    def state_vars(self) -> dict:
        """`state` with only the values: `{"vars": ...}`, for a flow also its children's, in the same form."""
        from .state import component_state

        return component_state(self, values_only=True)

    @property
    def state_with_changes(self) -> dict:
        """The same as `state` (its `changes` are always `{}`: lightwork keeps no change history)."""
        return self.state

    def set_state(self, provided_state: dict) -> None:
        """Set the state attributes (and the display name) a `state` dict holds; other keys are left alone."""
        from .codec import from_json

        for name, value in provided_state.get("vars", {}).items():
            if name == "_display_name":
                object.__setattr__(self, "_display_name", str(value or ""))
            elif not name.startswith("_"):
                setattr(self, name, from_json(value))

    @property
    def state(self) -> dict:
        """The nested state tree of this component and its children."""
        from .state import component_state

        return component_state(self)
