"""Helpers kept at Lightning Apps' import paths (`lightning.app.utilities.*`).

Each submodule is also an attribute once asked for (`L.app.utilities.cloud.is_running_in_cloud()`), as
Lightning Apps' package imported them all.
"""
import importlib

_SUBMODULES = ("app_commands", "app_config", "app_helpers", "apply_func", "cloud", "component", "constants", "enum",
               "exceptions", "frontend", "imports", "load_app", "log", "network", "state", "tracer", "warnings")


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
