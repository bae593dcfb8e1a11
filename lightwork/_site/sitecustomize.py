"""On the PYTHONPATH of every process `lightwork run` starts: in a Python started by one (a work's
`multiprocessing` spawn child re-running the app file, a script a work runs), `lightning` and `lightning_app`
resolve as in the app. Costs nothing until one of them is imported; another `sitecustomize` still runs after."""
import importlib.machinery
import importlib.util
import os
import sys


class _AliasOnFirstUse:
    """Installs lightwork's aliases when `lightning` or `lightning_app` is first imported, then steps aside."""

    lightwork_alias = True  # compat.install() asks the other finders what is really installed: not this one

    def find_spec(self, name, path=None, target=None):
        if name not in ("lightning", "lightning_app"):
            return None
        sys.meta_path.remove(self)
        try:
            from lightwork import compat
        except Exception:  # another Python, where lightwork is not installed: nothing to alias
            return None
        compat.install()
        return importlib.util.find_spec(name)


def _run_the_next_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)


sys.meta_path.insert(0, _AliasOnFirstUse())
_run_the_next_sitecustomize()
