"""Load an app's function by file and name in a frontend's own process (with Lightning Apps' names aliased)."""
from __future__ import annotations

import importlib.util
import os
import sys


def load_function(path: str, name: str):
    """Import the file `path` (not as `__main__`, so its app does not run) and return its function `name`."""
    from .. import compat

    compat.install()
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("lightwork_app_module", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"{path} has no top-level function {name!r}") from None
