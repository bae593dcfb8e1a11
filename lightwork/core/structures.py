"""List and Dict: containers of flows and works that take part in naming and state."""
from __future__ import annotations

from typing import Any, Iterator


class Structure:
    """Shared naming for List and Dict; items must be flows or works."""

    _lw_name = "root"
    _lw_path: tuple = ()

    def _lw_items(self) -> Iterator[tuple[str, Any]]:
        raise NotImplementedError

    def _lw_check(self, item: Any) -> Any:
        from .component import Component

        if not isinstance(item, Component):
            raise TypeError(
                f"{type(self).__name__} holds LightningFlow and LightningWork objects, not {type(item).__name__}"
            )
        return item

    def _lw_place(self, key: str, item: Any) -> None:
        item._lw_rename(f"{self._lw_name}.{key}", self._lw_path + (item._lw_group, key))

    def _lw_rename(self, name: str, path: tuple) -> None:
        self._lw_name, self._lw_path = name, path
        for key, item in self._lw_items():
            self._lw_place(key, item)

    def _lw_components(self):
        for _, item in self._lw_items():
            yield from item._lw_components()

    def set_state(self, provided_state: dict) -> None:
        """Give each item the part of `provided_state` (`{"flows": ..., "works": ...}`) under its key."""
        items = dict(self._lw_items())
        for group in ("flows", "works"):
            for key, item_state in provided_state.get(group, {}).items():
                if key not in items:
                    raise KeyError(f"{self.name}.set_state(): the state has item {key!r}, which this structure does not have")
                items[key].set_state(item_state)

    @property
    def name(self) -> str:
        return self._lw_name

    @property
    def works(self) -> list:
        """The works below: the items that are works, in order, then those of the flow items."""
        items = [item for _, item in self._lw_items()]
        return [i for i in items if i._lw_group == "works"] + [w for i in items if i._lw_group == "flows" for w in i.works()]

    @property
    def flows(self) -> dict:
        """The flows below, by name: each flow item followed by its own flows."""
        found = {}
        for _, item in self._lw_items():
            if item._lw_group == "flows":
                found[item.name] = item
                found.update(item.flows)
        return found

    @property
    def state(self) -> dict:
        """`{"flows": {key: state}, "works": {key: state}}` of the items."""
        from .state import structure_state

        return structure_state(self)

    @property
    def state_vars(self) -> dict:
        """`state` with only the items' values (see `LightningFlow.state_vars`)."""
        from .state import structure_state

        return structure_state(self, values_only=True)

    @property
    def state_with_changes(self) -> dict:
        return self.state


class List(Structure, list):
    """A list of flows or works; item i is named `<parent>.<attr>.<i>`.

    A name is a work's identity in the runtime, so an operation that would move a started work to another
    position (and so rename it) is refused; a removed work is stopped.
    """

    def __init__(self, *items: Any) -> None:
        list.__init__(self, [self._lw_check(item) for item in items])
        self._lw_renamed()  # on its own, item i is `root.i`; a flow holding it renames it

    def _lw_items(self):
        return ((str(i), item) for i, item in enumerate(list.__iter__(self)))

    def _lw_keep_places(self, start: int, operation: str) -> None:
        """Refuse `operation` when it would move a started item at `start` or after."""
        for index in range(max(0, start), len(self)):
            item = list.__getitem__(self, index)
            if _has_started(item):
                raise ValueError(
                    f"{operation} would move {item.name}, which has started, to another position and so rename "
                    f"it; use a structures.Dict for works that come and go, or only append to this List"
                )

    def _lw_renamed(self):
        self._lw_rename(self._lw_name, self._lw_path)

    def append(self, item: Any) -> None:
        list.append(self, self._lw_check(item))
        self._lw_place(str(len(self) - 1), item)

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def __iadd__(self, items):
        self.extend(items)
        return self

    def __imul__(self, count):
        raise TypeError("a List of works cannot be repeated: each work is one component")

    def __setitem__(self, index, item) -> None:
        if isinstance(index, slice):
            raise TypeError("List does not support slice assignment; set, append or remove items one by one")
        old = list.__getitem__(self, index)
        list.__setitem__(self, index, self._lw_check(item))
        _stop(old)
        self._lw_renamed()

    def insert(self, index, item) -> None:
        self._lw_keep_places(_position(self, index), f"inserting into {self.name}")
        list.insert(self, index, self._lw_check(item))
        self._lw_renamed()

    def __delitem__(self, index) -> None:
        removed = list.__getitem__(self, index)
        removed = removed if isinstance(index, slice) else [removed]
        first = _position(self, index.start or 0) if isinstance(index, slice) else _position(self, index)
        self._lw_keep_places(first + 1 if not isinstance(index, slice) else first, f"removing from {self.name}")
        list.__delitem__(self, index)
        for item in removed:
            _stop(item)
        self._lw_renamed()

    def pop(self, index: int = -1):
        item = list.__getitem__(self, index)
        del self[index]
        return item

    def remove(self, item) -> None:
        del self[self.index(item)]

    def clear(self) -> None:
        removed = list(list.__iter__(self))
        list.clear(self)
        for item in removed:
            _stop(item)

    def sort(self, *args, **kwargs) -> None:
        self._lw_keep_places(0, f"sorting {self.name}")
        list.sort(self, *args, **kwargs)
        self._lw_renamed()

    def reverse(self) -> None:
        self._lw_keep_places(0, f"reversing {self.name}")
        list.reverse(self)
        self._lw_renamed()


class Dict(Structure, dict):
    """A dict of flows or works keyed by string; item k is named `<parent>.<attr>.<k>`. A removed work is
    stopped."""

    def __init__(self, items: dict | None = None, **kwargs: Any) -> None:
        dict.__init__(self)
        self.update(items or {}, **kwargs)

    def _lw_items(self):
        return iter(dict.items(self))

    def __setitem__(self, key: str, item: Any) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise ValueError(f"Dict keys must be non-empty strings without '.', not {key!r}")
        old = dict.get(self, key)
        dict.__setitem__(self, key, self._lw_check(item))
        if old is not None and old is not item:
            _stop(old)
        self._lw_place(key, item)

    def update(self, items=(), **kwargs) -> None:
        for key, item in (dict(items) | kwargs).items():
            self[key] = item

    def setdefault(self, key, item=None):
        if key not in self:
            self[key] = item
        return dict.__getitem__(self, key)

    def __delitem__(self, key) -> None:
        item = dict.__getitem__(self, key)
        dict.__delitem__(self, key)
        _stop(item)

    def pop(self, key, *default):
        if key not in self and default:
            return default[0]
        item = dict.__getitem__(self, key)
        del self[key]
        return item

    def popitem(self):
        key = next(reversed(dict.keys(self)))
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(dict.keys(self)):
            del self[key]


def _position(items: list, index: int) -> int:
    return index + len(items) if index < 0 else index


def _has_started(component) -> bool:
    return any(c._lw_group == "works" and c.has_started for c in component._lw_components())


def _stop(component) -> None:
    """A component taken out of the tree can no longer be reached: its started works are stopped."""
    for c in component._lw_components():
        if c._lw_group == "works" and c.has_started and not c.has_stopped:
            c.stop()


def as_structure(value: Any, where: str = "a value") -> Any:
    """Plain non-empty lists and dicts whose items are all components become List and Dict; TypeError naming
    `where` when they also hold a List or Dict."""
    from .component import Component

    if isinstance(value, Structure) or not isinstance(value, (list, dict)) or not value:
        return value
    items = list(value.values() if isinstance(value, dict) else value)
    if not all(isinstance(item, (Component, Structure)) for item in items):
        return value
    if not all(isinstance(item, Component) for item in items):
        raise TypeError(
            f"{where}: a List or Dict holds flows and works, not another List or Dict; put the inner one in a "
            f"flow of its own"
        )
    return Dict(value) if isinstance(value, dict) else List(*value)
