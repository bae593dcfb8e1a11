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

    @property
    def name(self) -> str:
        return self._lw_name

    @property
    def works(self) -> list:
        return [c for c in self._lw_components() if c._lw_group == "works"]

    @property
    def flows(self) -> dict:
        return {c.name: c for c in self._lw_components() if c._lw_group == "flows"}


class List(Structure, list):
    """A list of flows or works; item i is named `<parent>.<attr>.<i>`."""

    def __init__(self, *items: Any) -> None:
        list.__init__(self, [self._lw_check(item) for item in items])

    def _lw_items(self):
        return ((str(i), item) for i, item in enumerate(list.__iter__(self)))

    def append(self, item: Any) -> None:
        list.append(self, self._lw_check(item))
        self._lw_place(str(len(self) - 1), item)

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def __setitem__(self, index, item) -> None:
        list.__setitem__(self, index, self._lw_check(item))
        self._lw_rename(self._lw_name, self._lw_path)

    def insert(self, index, item) -> None:
        list.insert(self, index, self._lw_check(item))
        self._lw_rename(self._lw_name, self._lw_path)


class Dict(Structure, dict):
    """A dict of flows or works keyed by string; item k is named `<parent>.<attr>.<k>`."""

    def __init__(self, items: dict | None = None, **kwargs: Any) -> None:
        dict.__init__(self)
        for key, item in {**(items or {}), **kwargs}.items():
            self[key] = item

    def _lw_items(self):
        return iter(dict.items(self))

    def __setitem__(self, key: str, item: Any) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise ValueError(f"Dict keys must be non-empty strings without '.', not {key!r}")
        dict.__setitem__(self, key, self._lw_check(item))
        self._lw_place(key, item)


def as_structure(value: Any) -> Any:
    """Plain non-empty lists and dicts whose items are all components become List and Dict."""
    from .component import Component

    if isinstance(value, Structure) or not isinstance(value, (list, dict)) or not value:
        return value
    items = value.values() if isinstance(value, dict) else value
    if not all(isinstance(item, Component) for item in items):
        return value
    return Dict(value) if isinstance(value, dict) else List(*value)
