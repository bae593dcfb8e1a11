"""Let app files written for `lightning_app`, `lightning.app` or `lightning` import lightwork instead.

`install()` adds two import hooks. The last one on `sys.meta_path` answers only what no installed package
answers: `lightning_app`, `lightning` and `lightning.app` with their submodules, each an alias module holding
the public names of the lightwork module it stands for. So an installed `lightning_app` (Lightning Apps
itself) is never shadowed, and neither is a `lightning` that still ships its `app`. The first hook lets an
installed `lightning` (the training package) load as it is, then adds the app names it lacks to it
(`lightning.LightningWork`, ...) without replacing any name it defines.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

# Lightning Apps module (after `lightning_app` or `lightning.app`) -> lightwork module; others map to
# `lightwork.<same path>`
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


def _target(fullname: str) -> str | None:
    """The lightwork module that `fullname` stands for, or None where it names no Lightning Apps module."""
    top, _, rest = fullname.partition(".")
    if top not in PEER_PACKAGES:
        return None
    if top == "lightning":
        if rest == "app" or rest.startswith("app."):
            rest = rest[4:]
        elif rest:
            return None
    return _TARGETS.get(rest, f"lightwork.{rest}" if rest else "lightwork")


def _is_alias(module) -> bool:
    return isinstance(getattr(module, "__loader__", None), _AliasFinder)


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The last finder: the Lightning Apps module names that nothing installed answered, as lightwork aliases."""

    def find_spec(self, fullname, path=None, target=None):
        target_name = _target(fullname)
        if target_name is None:
            return None
        parent = fullname.rpartition(".")[0]
        # Inside an installed package only `lightning.app` itself is ours (the training package lacks it).
        if parent and parent != "lightning" and not _is_alias(sys.modules.get(parent)):
            return None
        try:
            if importlib.util.find_spec(target_name) is None:
                return None
        except (ImportError, ValueError):  # a name inside a module, not a submodule: "cannot import name"
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        target = importlib.import_module(_target(spec.name))
        module = types.ModuleType(spec.name, target.__doc__)
        module.__dict__.update({k: v for k, v in vars(target).items() if not k.startswith("__") or k == "__getattr__"})
        module.__path__ = []
        return module

    def exec_module(self, module) -> None:
        pass


class _TrainingPackageFinder(importlib.abc.MetaPathFinder):
    """The first finder: an installed `lightning` loads as it is, then gets the app names it lacks."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "lightning":
            return None
        spec = _installed_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _AddAppNames(spec.loader)
        return spec


class _AddAppNames(importlib.abc.Loader):
    """Runs the package's own loader, then adds the app names (the module keeps its own loader)."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        module.__loader__ = module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        add_app_names(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def add_app_names(module) -> None:
    """Give an installed `lightning` the names of `lightning.app` (lightwork's) that it does not define."""
    if _ships_app(module.__spec__):  # this `lightning` is Lightning Apps itself
        return
    app = importlib.import_module("lightning.app")
    import lightwork

    for name in ("app", *lightwork.__all__):
        if not hasattr(module, name):
            setattr(module, name, app if name == "app" else getattr(app, name))


def _installed_spec(fullname, path=None, target=None):
    """The spec that the finders other than ours give `fullname`: that of an installed package, or None."""
    for finder in list(sys.meta_path):
        if isinstance(finder, (_AliasFinder, _TrainingPackageFinder)) or not hasattr(finder, "find_spec"):
            continue
        spec = finder.find_spec(fullname, path, target)
        if spec is not None:
            return spec
    return None


def _ships_app(spec) -> bool:
    """Whether the installed `lightning` of `spec` has its own `app` subpackage (Lightning Apps itself)."""
    return spec is not None and any(os.path.isdir(os.path.join(f, "app")) for f in spec.submodule_search_locations or ())


def install() -> list[str]:
    """Install the hooks once per process; return the names that resolve to lightwork now (`lightning_app`,
    and `lightning`, or only `lightning.app` where the training package is installed)."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _TrainingPackageFinder())
        sys.meta_path.append(_AliasFinder())
        loaded = sys.modules.get("lightning")
        if loaded is not None and not _is_alias(loaded):
            add_app_names(loaded)
    aliased = []
    for top in PEER_PACKAGES:
        loaded = sys.modules.get(top)
        spec = None if loaded is not None and _is_alias(loaded) else _installed_spec(top)
        if spec is None:
            aliased.append(top)
        elif top == "lightning" and not _ships_app(spec):
            aliased.append("lightning.app")
    return aliased
