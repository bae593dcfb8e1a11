"""Which side of an app this process runs, at Lightning Apps' path (`lightning.app.utilities.component`)."""
from __future__ import annotations

from ..core import context
from .enum import ComponentContext

__all__ = ["_get_context", "_is_flow_context", "_is_frontend_context", "_is_work_context", "_set_context",
           "_set_flow_context", "_set_frontend_context", "_set_work_context"]

_frontend = False  # lightwork's own context has no frontend side; a frontend process says so here


def _get_context() -> ComponentContext | None:
    if _frontend:
        return ComponentContext.FRONTEND
    return {context.FLOW: ComponentContext.FLOW, context.WORK: ComponentContext.WORK}.get(context.role)


def _set_context(value) -> None:
    """Set this process's side: a ComponentContext, its value ("flow", "work", "frontend") or None."""
    global _frontend
    value = ComponentContext(value) if value is not None and not isinstance(value, ComponentContext) else value
    _frontend = value is ComponentContext.FRONTEND
    context.set_role(value.value if value in (ComponentContext.FLOW, ComponentContext.WORK) else None)


def _set_flow_context() -> None:
    _set_context(ComponentContext.FLOW)


def _set_work_context() -> None:
    _set_context(ComponentContext.WORK)


def _set_frontend_context() -> None:
    _set_context(ComponentContext.FRONTEND)


def _is_flow_context() -> bool:
    return _get_context() is ComponentContext.FLOW


def _is_work_context() -> bool:
    return _get_context() is ComponentContext.WORK


def _is_frontend_context() -> bool:
    return _get_context() is ComponentContext.FRONTEND
