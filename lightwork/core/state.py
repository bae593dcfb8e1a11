"""The app's state tree, and `pretty_state` in the seed's form."""
from __future__ import annotations

from .codec import to_json


def component_state(component, values_only: bool = False) -> dict:
    """`{"vars", "calls", "changes", "flows", "works", "structures"}` for a flow; a work has no children and adds
    its status. With `values_only`, only "vars" and the children (Lightning Apps' `state_vars`)."""
    from .structures import Structure

    state = {"vars": {name: to_json(getattr(component, name)) for name in component._lw_vars}}
    state["vars"].update(component._lw_extra_vars())
    if not values_only:
        state.update(component._lw_extra_state())
    if component._lw_group == "flows":
        state.update(flows={}, works={}, structures={})
    for attr, child in component._lw_children.items():
        if isinstance(child, Structure):
            state["structures"][attr] = structure_state(child, values_only)
        else:
            state[child._lw_group][attr] = component_state(child, values_only)
    return state


def structure_state(structure, values_only: bool = False) -> dict:
    """`{"flows": {key: state}, "works": {key: state}}` of a List's or Dict's items."""
    entry: dict = {"flows": {}, "works": {}}
    for key, item in structure._lw_items():
        entry[item._lw_group][key] = component_state(item, values_only)
    return entry


def pretty_state(state: dict) -> dict:
    """Only public vars, flows, works and structures, without empty parts: `{'works': {'w': {'vars': {...}}}}`."""
    pretty: dict = {}
    public = {k: v for k, v in state.get("vars", {}).items() if not k.startswith("_")}
    if public:
        pretty["vars"] = public
    for group in ("flows", "works"):
        children = {name: pretty_state(child) for name, child in state.get(group, {}).items()}
        if children:
            pretty[group] = children
    structures = {}
    for name, entry in state.get("structures", {}).items():
        inner = pretty_state({"flows": entry.get("flows", {}), "works": entry.get("works", {})})
        if inner:
            structures[name] = inner
    if structures:
        pretty["structures"] = structures
    return pretty
