"""Let app files written for `lightning_app`, `lightning.app` or `lightning` import lightwork instead.

`install()` adds two import hooks. The last one on `sys.meta_path` answers only what no installed package
answers: `lightning_app`, `lightning` and `lightning.app` with their submodules, each an alias module holding
the public names of the lightwork module it stands for. So an installed `lightning_app` (Lightning Apps
itself) is never shadowed, and neither is a `lightning` that still ships its `app`. The first hook lets an
installed `lightning` (the training package) load as it is, then adds the app names it lacks to it
(`lightning.LightningWork`, ...) without replacing any name it defines.

`lightning.x` (the 2022 releases, which were Lightning Apps) is `lightning.app.x` where nothing installed has
it. A Lightning Apps module that only made sense on its cloud is refused in one line saying why.
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
    "runners.runtime_type": "lightwork.runners",
    "testing.config": "lightwork.testing",
    "core.constants": "lightwork.utilities.constants",
    "utilities.packaging.app_config": "lightwork.utilities.app_config",
}
# Lightning Apps modules lightwork does not offer, and why (importing one says so in one line)
_CLOUD = "it talked to the Lightning AI cloud, which lightwork does not use"
_NOT_AVAILABLE = {
    "cli": "the internals of the `lightning` command; run apps with `lightwork run`",
    "source_code": "it uploaded the app's code to the Lightning AI cloud",
    "launcher": "it started flows and works on the Lightning AI cloud; lightwork runs them locally or on Ray",
    "plugin": "it ran jobs on the Lightning AI cloud",
    "components.database": "use a database server of your own (or Drive for files)",
    **dict.fromkeys(("utilities.login", "utilities.auth", "utilities.secrets", "utilities.clusters",
                     "utilities.app_logs", "utilities.logs_socket_api"), _CLOUD),
    "utilities.safe_pickle": "it packed works for the Lightning AI cloud's machines; lightwork moves works itself",
    **dict.fromkeys(("storage.copier", "storage.orchestrator", "storage.requests"),
                    "the internals of how Lightning Apps moved Path files; lightwork moves them itself "
                    "(use Path, Drive or FileSystem)"),
    "core.queues": "the internal queues of Lightning Apps' runtime; lightwork's runtimes use their own protocol",
}
LIGHTNING_PACKAGES = ("lightning_app", "lightning")


def _target(fullname: str) -> str | None:
    """The lightwork module that `fullname` stands for, or None where it names no Lightning Apps module."""
    top, _, rest = fullname.partition(".")
    if top not in LIGHTNING_PACKAGES:
        return None
    rest = _app_path(fullname)
    return _TARGETS.get(rest, f"lightwork.{rest}" if rest else "lightwork")


def _app_path(fullname: str) -> str:
    """The module's path inside Lightning Apps: `lightning_app.x`, `lightning.app.x` and (the `lightning`
    releases of 2022, which were Lightning Apps) `lightning.x` all give `x`."""
    top, _, rest = fullname.partition(".")
    if top == "lightning" and (rest == "app" or rest.startswith("app.")):
        return rest[4:]
    return rest


def _refusal(fullname: str) -> str | None:
    """Why lightwork does not offer the Lightning Apps module `fullname`, or None."""
    parts = _app_path(fullname).split(".")
    for size in range(len(parts), 0, -1):
        reason = _NOT_AVAILABLE.get(".".join(parts[:size]))
        if reason:
            return f"{fullname} is not available in lightwork: {reason} (docs/compat.md)"
    return None


def _is_alias(module) -> bool:
    return isinstance(getattr(module, "__loader__", None), _AliasFinder)


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The last finder: the Lightning Apps module names that nothing installed answered, as lightwork aliases."""

    def find_spec(self, fullname, path=None, target=None):
        target_name = _target(fullname)
        if target_name is None:
            return None
        parent = fullname.rpartition(".")[0]
        # Inside an installed package only what it lacks right under `lightning` is ours (`lightning.app`).
        if parent and parent != "lightning" and not _is_alias(sys.modules.get(parent)):
            return None
        loaded = sys.modules.get(parent)
        if parent == "lightning" and not _is_alias(loaded) and _ships_app(getattr(loaded, "__spec__", None)):
            return None  # a `lightning` that is Lightning Apps itself gets nothing of ours
        try:
            found = importlib.util.find_spec(target_name) is not None
        except (ImportError, ValueError):  # a name inside a module, not a submodule: "cannot import name"
            found = False
        if not found:
            refusal = _refusal(fullname)
            if refusal:
                raise ImportError(refusal, name=fullname)
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        target = importlib.import_module(_target(spec.name))
        module = types.ModuleType(spec.name, target.__doc__)
        module.__dict__.update({k: v for k, v in vars(target).items() if not k.startswith("__")})
        module.__getattr__ = _submodules_as_attributes(spec.name, vars(target).get("__getattr__"))
        module.__path__ = []
        return module

    def exec_module(self, module) -> None:
        if module.__name__ == "lightning":  # `L.app` is `lightning.app`, not lightwork's own `app` package
            module.app = importlib.import_module("lightning.app")


def _submodules_as_attributes(alias: str, own_getattr):
    """The alias's module `__getattr__`: the target's own first, then `alias.<name>` as a submodule (so
    `L.app.utilities.cloud` works without importing it first, as Lightning Apps' package imported them all)."""

    def __getattr__(name: str):
        if own_getattr is not None:
            try:
                return own_getattr(name)
            except AttributeError:
                pass
        if not name.startswith("__"):
            try:
                return importlib.import_module(f"{alias}.{name}")
            except ImportError as exc:
                if exc.name != f"{alias}.{name}":
                    raise  # the submodule exists and failed to import: its own error, not a missing attribute
        raise AttributeError(f"module {alias!r} has no attribute {name!r}")

    return __getattr__


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
        if isinstance(finder, (_AliasFinder, _TrainingPackageFinder)) or getattr(finder, "lightwork_alias", False) \
                or not hasattr(finder, "find_spec"):
            continue  # ours, or the one a child process's sitecustomize put there (lightwork/_site)
        spec = finder.find_spec(fullname, path, target)
        if spec is not None:
            return spec
    return None


def _ships_app(spec) -> bool:
    """Whether the installed `lightning` of `spec` has its own `app` subpackage (Lightning Apps itself)."""
    return spec is not None and any(os.path.isdir(os.path.join(f, "app")) for f in spec.submodule_search_locations or ())


SITE_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_site")


def reach_child_processes() -> None:
    """Make every Python this process starts from now on (spawn children, scripts) install the aliases when
    it first imports `lightning` or `lightning_app` (a sitecustomize on PYTHONPATH)."""
    entries = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if SITE_FOLDER not in entries:
        os.environ["PYTHONPATH"] = os.pathsep.join([SITE_FOLDER] + [e for e in entries if e])


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
    for top in LIGHTNING_PACKAGES:
        loaded = sys.modules.get(top)
        spec = None if loaded is not None and _is_alias(loaded) else _installed_spec(top)
        if spec is None:
            aliased.append(top)
        elif top == "lightning" and not _ships_app(spec):
            aliased.append("lightning.app")
    return aliased
