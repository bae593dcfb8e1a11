"""Let app files written for `lightning_app`, `lightning.app` or `lightning` import lightwork instead.

`install()` adds an import hook for each of those top-level names that is not installed; every alias is a
module of its own holding the public names of the lightwork module it stands for.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

# peer module (after the top-level name) -> lightwork module; others map to `lightwork.<same path>`
_TARGETS = {
    "": "lightwork",
    "core": "lightwork",
    "core.app": "lightwork.app.app",
    "core.flow": "lightwork.core.flow",
    "core.work": "lightwork.core.work",
    "api.http_methods": "lightwork.api",
    "utilities.commands": "lightwork.commands",
    "utilities.commands.base": "lightwork.commands",
    "frontend.just_py.just_py": "lightwork.frontend.just_py",
    "frontend.panel.panel_frontend": "lightwork.frontend.panel",
    "components.python.tracer": "lightwork.components.python",
    "components.python.popen": "lightwork.components.python",
    "components.serve.python_server": "lightwork.components.serve",
    "components.serve.gradio_server": "lightwork.components.serve",
    "components.serve.streamlit": "lightwork.components.serve",
    "components.serve.auto_scaler": "lightwork.components.auto_scaler",
    "components.serve.gradio": "lightwork.components.serve",
    "utilities.packaging": "lightwork.utilities",
    "utilities.packaging.build_config": "lightwork.core.build",
    "utilities.packaging.cloud_compute": "lightwork.core.compute",
    "testing.helpers": "lightwork.testing",
    "testing.testing": "lightwork.testing",
    "runners.multiprocess": "lightwork.runners",
    "runners.runtime": "lightwork.runners",
}
PEER_PACKAGES = ("lightning_app", "lightning")


def _target(fullname: str, tops) -> str | None:
    top, _, rest = fullname.partition(".")
    if top not in tops:
        return None
    if top == "lightning":
        if rest == "app" or rest.startswith("app."):
            rest = rest[4:]
        elif rest:
            return None
    return _TARGETS.get(rest, f"lightwork.{rest}" if rest else "lightwork")


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, tops) -> None:
        self.tops = tuple(tops)

    def find_spec(self, fullname, path=None, target=None):
        target_name = _target(fullname, self.tops)
        try:
            if target_name is None or importlib.util.find_spec(target_name) is None:
                return None
        except (ImportError, ValueError):  # a name inside a module, not a submodule: "cannot import name"
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        target = importlib.import_module(_target(spec.name, self.tops))
        module = types.ModuleType(spec.name, target.__doc__)
        module.__dict__.update({k: v for k, v in vars(target).items() if not k.startswith("__") or k == "__getattr__"})
        module.__path__ = []
        return module

    def exec_module(self, module) -> None:
        pass


def install() -> list[str]:
    """Alias each peer package that is neither installed nor aliased already; return the names aliased."""
    taken = {top for f in sys.meta_path if isinstance(f, _AliasFinder) for top in f.tops}
    aliased = [t for t in PEER_PACKAGES if t not in taken and t not in sys.modules and importlib.util.find_spec(t) is None]
    if aliased:
        sys.meta_path.append(_AliasFinder(aliased))
    return aliased
