"""`requires` and the `_is_<package>_available()` checks of `lightning.app.utilities.imports`."""
from __future__ import annotations

import functools
import importlib.util
import os
import warnings

__all__ = ["requires", "_module_available", "_package_available"]


def _module_available(name: str) -> bool:
    """Whether `name` (a dotted module path) can be imported, without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package is missing
        return False


_package_available = _module_available
module_available = _module_available


def requires(module_paths):
    """Decorate a function so that a call fails with ModuleNotFoundError naming the missing modules to
    install (a warning instead when LIGHTING_TESTING=1, as Lightning Apps spelled it)."""
    paths = module_paths if isinstance(module_paths, list) else [module_paths]

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            missing = [f"'{path}'" for path in paths if not _module_available(path)]
            if missing:
                message = f"Required dependencies not available. Please run: pip install {' '.join(missing)}"
                if os.environ.get("LIGHTING_TESTING", "0") not in ("", "0"):
                    warnings.warn(message)
                else:
                    raise ModuleNotFoundError(message)
            return func(*args, **kwargs)

        return wrapper

    return decorator


# the checks whose package imports under another name
_MODULE_OF = {"pytorch_lightning": "lightning.pytorch", "json_argparse": "jsonargparse", "lightning_flash": "flash",
              "pil": "PIL"}


def __getattr__(name: str):
    """`_is_gradio_available()`, `_is_torch_available()`, ...: whether that package can be imported."""
    if name.startswith("_is_") and name.endswith("_available") and len(name) > len("_is__available"):
        package = name[len("_is_"):-len("_available")]
        return functools.partial(_module_available, _MODULE_OF.get(package, package))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
