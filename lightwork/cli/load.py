"""Load an app file the way `python app.py` would, and find its LightningApp."""
from __future__ import annotations

import os
import sys
import types


class AppFileError(Exception):
    """The app file is missing, unreadable, not Python, or defines no LightningApp."""


def load_app(path: str):
    """Execute the app file as `__main__` (with Lightning Apps' package names aliased) and return its LightningApp."""
    from .. import compat
    from ..app.app import LightningApp

    if not os.path.exists(path):
        raise AppFileError(f"app file not found: {path}")
    if not os.path.isfile(path):
        raise AppFileError(f"not a file: {path}")
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        raise AppFileError(f"cannot read the app file {path}: {exc.strerror}") from exc
    try:
        code = compile(source, path, "exec")
    except (SyntaxError, ValueError) as exc:
        raise AppFileError(_syntax_message(path, exc)) from exc
    compat.install()
    module = types.ModuleType("__main__")
    module.__file__ = os.path.abspath(path)
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    exec(code, module.__dict__)  # errors in the app's own code propagate with their traceback
    apps = [v for v in vars(module).values() if isinstance(v, LightningApp)]
    if isinstance(vars(module).get("app"), LightningApp):
        return module.app
    if len(apps) == 1:
        return apps[0]
    if not apps:
        _refuse_lightning_apps_itself(path, vars(module).values())
        raise AppFileError(f"{path} defines no LightningApp: end it with `app = LightningApp(YourFlow())`")
    raise AppFileError(f"{path} defines {len(apps)} LightningApp objects; name the one to run `app`")


def _refuse_lightning_apps_itself(path: str, values) -> None:
    """An app built with an installed Lightning Apps (which lightwork never replaces) is named as such."""
    for value in values:
        package = type(value).__module__.partition(".")[0]
        if type(value).__name__ == "LightningApp" and package in ("lightning_app", "lightning"):
            name = "lightning_app" if package == "lightning_app" else "lightning (a release that ships lightning.app)"
            fix = "pip uninstall lightning-app" if package == "lightning_app" else "pip install -U lightning"
            raise AppFileError(
                f"{path} builds its LightningApp with the installed {name}, which lightwork does not replace: "
                f"run it where that package is not installed ({fix})"
            )


def _syntax_message(path: str, exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        where = f"{path}, line {exc.lineno}" if exc.lineno else path
        text = f"\n    {exc.text.rstrip()}" if exc.text else ""
        return f"syntax error in the app file {where}: {exc.msg}{text}"
    return f"the app file {path} is not valid Python: {exc}"
