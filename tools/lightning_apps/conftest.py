"""Run Lightning Apps' own unit tests against lightwork (this file is copied beside the tests; never edit them).

Its job: make `lightning.app` / `lightning_app` resolve to lightwork, as `lightwork run` does
(`lightwork.compat.install()`). So that a test file mixing public and private tests can be imported, a name of
Lightning Apps' internals that lightwork does not have (a name starting with `_`, or any name of a module
lightwork does not have) resolves to a stand-in that fails the test using it with `NotPublicAPI`; a test that
patches `lightning.app...` with `mock.patch`, or is parametrized with a stand-in, is not run; a test that fails
reading a private attribute (`flow._works`) failed on Lightning Apps' internals. All of these are reported as
"not public API", never as a pass. A public-looking name lightwork lacks (or refuses in one line) resolves to
a stand-in that fails with `MissingName` (a real failure unless classify.py lists it). The cloud client
`lightning_cloud`, when not installed, is a module of internal stand-ins too. Platform flags and `_RunIf` skip
conditions (test infrastructure) answer truly; `async def` tests marked `asyncio` run in an event loop of their
own; the tests run.py passes in LIGHTNING_APPS_TEST_NOT_RUN (classify.NOT_RUN) are skipped as not public API.

Bookkeeping around that, for honest counts: the issue's rule "error texts may differ" (`pytest.raises(T,
match=...)` checks the type; a different text is recorded, not failed); a test whose app ended with a non-zero
exit code (`MultiProcessRuntime(...).dispatch()`, which these tests seldom check) does not pass; each test runs
in a folder of its own with a time limit; processes a test left behind are ended and listed.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import signal
import sys
import types

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "tests"))  # `from tests_app import _PROJECT_ROOT`
os.environ.setdefault("LIGHTNING_DISPATCHED", "1")

import lightwork.compat  # noqa: E402

TIMEOUT = int(os.environ.get("LIGHTNING_APPS_TEST_TIMEOUT", "120"))


class NotPublicAPI(BaseException):
    """A test used a name of Lightning Apps' internals (a BaseException: `pytest.raises(Exception)` lets it by)."""


class MissingName(BaseException):
    """A test used a public-looking name of Lightning Apps that lightwork does not provide."""


_IN_TEST = False  # while modules are imported (collection), calling a stand-in gives a stand-in for the result


class StandIn:
    """Stands for a name lightwork does not have; any use raises `error`."""

    def __init__(self, qualname: str, error: type) -> None:
        object.__setattr__(self, "_qualname", qualname)
        object.__setattr__(self, "_error", error)

    def _refuse(self, *args, **kwargs):
        raise self._error(f"{self._qualname} ({'internal to Lightning Apps' if self._error is NotPublicAPI else 'not in lightwork'})")

    __bool__ = __iter__ = __len__ = __getitem__ = __setattr__ = __enter__ = __eq__ = __hash__ = _refuse

    def __call__(self, *args, **kwargs):
        if _IN_TEST:
            self._refuse()
        return StandIn(f"{self._qualname}(...)", self._error)  # `ProxyWorkRun(...)` in a parametrize list

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._refuse()

    def __repr__(self) -> str:
        return f"<stand-in for {self._qualname}>"

    def __mro_entries__(self, bases):  # `class X(_RootFlow)` at a module's top level
        stand_in = self

        class Refused:
            def __init__(self, *args, **kwargs):
                stand_in._refuse()

        Refused.__name__ = self._qualname.rsplit(".", 1)[-1]
        return (Refused,)


# Test infrastructure of Lightning Apps that its test files use at import time (skip conditions), answered truly.
def _available(module: str):
    return lambda: importlib.util.find_spec(module) is not None


INFRASTRUCTURE = {
    "lightning.app.utilities.imports": {
        "_IS_WINDOWS": sys.platform == "win32",
        "_IS_MACOS": sys.platform == "darwin",
        "_IS_LINUX": sys.platform == "linux",
        "_CLOUD_TEST_RUN": False,
        "_is_s3fs_available": _available("s3fs"),
        "_is_torch_available": _available("torch"),
        "_is_numpy_available": _available("numpy"),
        "_is_pytorch_lightning_available": _available("pytorch_lightning"),
        "_is_lightning_flash_available": _available("flash"),
        "_is_sqlmodel_available": _available("sqlmodel"),
        "_is_redis_available": _available("redis"),
        "_is_docker_available": _available("docker"),
    },
}


def _run_if(*args, pl=False, flash=False, min_python=None, skip_windows=False, skip_linux=False,
            skip_mac_os=False, local_end_to_end=False, cloud=False, **kwargs):
    """The skip conditions of Lightning Apps' `testing.helpers._RunIf`."""
    reasons = []
    if min_python and sys.version_info < tuple(int(p) for p in min_python.split(".")):
        reasons.append(f"python>={min_python}")
    if skip_windows and sys.platform == "win32" or skip_mac_os and sys.platform == "darwin":
        reasons.append("platform")
    if skip_linux and sys.platform == "linux":
        reasons.append("unimplemented on linux")
    if pl and importlib.util.find_spec("pytorch_lightning") is None:
        reasons.append("PyTorch Lightning is required")
    if flash and importlib.util.find_spec("flash") is None:
        reasons.append("Lightning Flash is required")
    if cloud:
        reasons.append("Lightning's cloud")
    return pytest.mark.skipif(*args, condition=bool(reasons), reason=f"Requires: [{' + '.join(reasons)}]", **kwargs)


INFRASTRUCTURE["lightning.app.testing.helpers"] = {"_RunIf": _run_if}
INFRASTRUCTURE["lightning.app.utilities.redis"] = {"check_if_redis_running": lambda: False}  # a skip condition
INFRASTRUCTURE["lightning.app.testing"] = {"_RunIf": _run_if}


def _stand_in_for(module_name: str, name: str):
    known = INFRASTRUCTURE.get(module_name, {})
    if name in known:
        return known[name]
    return StandIn(f"{module_name}.{name}", NotPublicAPI if name.startswith("_") else MissingName)


_CLOUD_CLIENT_INSTALLED = importlib.util.find_spec("lightning_cloud") is not None


class _HarnessFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`lightning.app.X`: lightwork's alias of X with stand-ins for names it lacks, or a module of stand-ins."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] == "lightning_cloud" and not _CLOUD_CLIENT_INSTALLED:
            # Lightning AI's cloud client (a package of its own): every name in it is internal to that cloud
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        if fullname != "lightning" and not fullname.startswith(("lightning.app", "lightning_app")):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        alias = _lightwork_alias(spec.name)
        module = types.ModuleType(spec.name, getattr(alias, "__doc__", None))
        if alias is not None:
            module.__dict__.update({k: v for k, v in vars(alias).items() if not k.startswith("__")})
            fallback = getattr(alias, "__getattr__", None)
        else:  # a module lightwork does not have: every name in it is internal
            module.__dict__.update(INFRASTRUCTURE.get(spec.name, {}))
            fallback = None
        internal = alias is None

        def __getattr__(name, _module=spec.name):
            if name.startswith("__"):
                raise AttributeError(name)
            if fallback is not None:
                try:
                    return fallback(name)
                except AttributeError:
                    pass
                except ImportError as refusal:  # a name lightwork documents as not available: fails where used
                    return StandIn(f"{_module}.{name} ({str(refusal).split(': ', 1)[-1]})", MissingName)
            if not name.startswith("_") and _lightwork_alias(f"{_module}.{name}") is not None:
                return importlib.import_module(f"{_module}.{name}")  # a submodule read as an attribute
            if internal and name not in INFRASTRUCTURE.get(_module, {}):
                return StandIn(f"{_module}.{name}", NotPublicAPI)
            return _stand_in_for(_module, name)

        module.__getattr__ = __getattr__
        module.__path__ = []
        module.__lightwork_alias__ = alias.__name__ if alias is not None else None
        return module

    def exec_module(self, module) -> None:
        pass


def _lightwork_alias(fullname: str):
    """The lightwork module `lightwork.compat` maps `fullname` to, or None when lightwork has none."""
    target = lightwork.compat._target(fullname)
    if target is None or lightwork.compat._refusal(fullname):
        return None
    try:
        return importlib.import_module(target)
    except ImportError:
        return None


# lightwork.compat.install() is what `lightwork run` does; the harness finder goes first so that it can add
# stand-ins around the aliases it makes.
lightwork.compat.install()
sys.meta_path.insert(0, _HarnessFinder())


# ----- error texts may differ --------------------------------------------------------------------------------
# Lightning Apps' tests check an exception's type and text (`pytest.raises(T, match=...)`); lightwork keeps the
# type and words its own messages. The type is still checked; a text that differs is recorded, not failed.

_real_raises = pytest.raises
_TEXTS: dict = {}  # nodeid -> [(pattern, message), ...]
_CURRENT: list = [None]


class _TypeOnly:
    def __init__(self, context, pattern) -> None:
        self.context, self.pattern = context, pattern

    def __enter__(self):
        return self.context.__enter__()

    def __exit__(self, exc_type, exc, tb):
        handled = self.context.__exit__(exc_type, exc, tb)
        if handled and exc is not None:
            import re

            if not re.search(str(self.pattern), str(exc)):
                _TEXTS.setdefault(_CURRENT[0], []).append((str(self.pattern), str(exc).splitlines()[0][:200]))
        return handled


def _raises(expected_exception=None, *args, match=None, **kwargs):
    if match is None or args:
        return _real_raises(expected_exception, *args, match=match, **kwargs)
    return _TypeOnly(_real_raises(expected_exception, **kwargs), match)


pytest.raises = _raises


# ----- apps a test ran ----------------------------------------------------------------------------------------
# Many of these tests run an app with MultiProcessRuntime(app).dispatch() and do not look at how it ended; a
# test is only counted as passed if every app it ran ended well (exit code 0).

_EXIT_CODES: dict = {}  # nodeid -> [exit code of each dispatch]


def _watch_dispatch() -> None:
    import lightwork.runners as runners

    dispatch = runners.MultiProcessRuntime.dispatch

    def recorded(self, *args, **kwargs):
        code = dispatch(self, *args, **kwargs)
        _EXIT_CODES.setdefault(_CURRENT[0], []).append(code)
        return code

    runners.MultiProcessRuntime.dispatch = recorded


_watch_dispatch()


# ----- classification --------------------------------------------------------------------------------------

def _patched_lightning_targets(function) -> list[str]:
    """The `lightning.app...` names a test's `mock.patch` decorators replace."""
    targets = []
    for patching in getattr(function, "patchings", []):
        getter = patching.getter  # functools.partial(pkgutil.resolve_name, "module.path") for mock.patch("...")
        module = getter.args[0] if getattr(getter, "args", None) else ""
        if isinstance(module, str) and module.startswith(("lightning.app", "lightning_app")):
            targets.append(f"{module}.{patching.attribute}")
    return targets


def pytest_collection_modifyitems(config, items):
    global _IN_TEST
    _IN_TEST = True
    not_run = json.loads(os.environ.get("LIGHTNING_APPS_TEST_NOT_RUN") or "{}")  # classify.NOT_RUN, from run.py
    for item in items:
        test = item.nodeid.removeprefix("tests/tests_app/")
        reason = not_run.get(test) or not_run.get(test.split("[")[0])
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"NOT_PUBLIC: {reason}"))
            continue
        function = getattr(item, "function", None)
        patched = _patched_lightning_targets(function) if function is not None else []
        callspec = getattr(item, "callspec", None)
        stand_ins = [v for v in (callspec.params.values() if callspec else ()) if isinstance(v, StandIn)]
        if patched:
            item.add_marker(pytest.mark.skip(reason=f"NOT_PUBLIC: patches {', '.join(patched)}"))
        elif stand_ins:
            item.add_marker(pytest.mark.skip(reason=f"NOT_PUBLIC: a parameter is {stand_ins[0]._qualname}"))


@pytest.fixture(autouse=True)
def _own_folder(request, tmp_path, monkeypatch):
    """Each test runs in a folder of its own (the tests write files such as a.txt to the current folder)."""
    _CURRENT[0] = request.node.nodeid
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture()
def another_tmpdir(tmp_path):
    import py

    return py.path.local(tmp_path / "another")


_TIMED_OUT: set = set()  # tests that hit the time limit: never a pass, whatever the TimeoutError turned into


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    def _timeout(signum, frame):
        _TIMED_OUT.add(item.nodeid)
        raise TimeoutError(f"the test ran longer than {TIMEOUT}s")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """An `async def` test marked `asyncio` (Lightning Apps ran them with pytest-asyncio) runs in a fresh event
    loop when pytest-asyncio is not installed, so it counts by what it does."""
    import asyncio
    import inspect

    if (not inspect.iscoroutinefunction(pyfuncitem.obj) or pyfuncitem.get_closest_marker("asyncio") is None
            or pyfuncitem.config.pluginmanager.hasplugin("asyncio")):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


_RESULTS: dict = {}


def _cause(excinfo) -> str:
    """'not_public' when a NotPublicAPI stand-in was used, 'missing' for a MissingName, else the exception type."""
    seen, exc = set(), excinfo.value
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, NotPublicAPI):
            return "not_public:" + str(exc)
        if isinstance(exc, MissingName):
            return "missing:" + str(exc)
        name = getattr(exc, "name", None) if isinstance(exc, AttributeError) else None
        if isinstance(name, str) and name.startswith("_") and not name.startswith("__"):
            return f"not_public:the private attribute {name} ({str(exc)[:120]})"
        exc = exc.__cause__ or exc.__context__
    text = str(excinfo.value).splitlines()[0][:300] if str(excinfo.value) else ""
    return f"{excinfo.type.__name__}: {text}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entry = _RESULTS.setdefault(item.nodeid, {"outcome": "passed", "detail": ""})
    if report.skipped and call.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        entry.update(outcome="skipped", detail=reason.replace("Skipped: ", ""))
    elif report.failed and entry["outcome"] != "failed":
        entry.update(outcome="failed" if call.when == "call" else f"error in {call.when}", detail=_cause(call.excinfo))
    if call.when == "teardown" and item.nodeid in _TIMED_OUT and entry["outcome"] in ("passed", "failed"):
        entry.update(outcome="failed", detail=f"ran longer than {TIMEOUT}s (an app that does not end?)")
    if call.when == "teardown" and item.nodeid in _TEXTS:
        entry["texts"] = _TEXTS[item.nodeid]
    if call.when == "teardown" and any(_EXIT_CODES.get(item.nodeid, [])):
        entry["exit_codes"] = _EXIT_CODES[item.nodeid]
        if entry["outcome"] == "passed":
            entry.update(outcome="failed", detail=f"an app the test ran ended with exit codes {_EXIT_CODES[item.nodeid]}")


def pytest_collectreport(report):
    if report.failed:
        _RESULTS[report.nodeid] = {"outcome": "collection error", "detail": str(report.longrepr).strip().splitlines()[-1][:300]}


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def pytest_sessionfinish(session, exitstatus):
    # A test that failed before ending a process it started (a server in a multiprocessing.Process) would keep
    # pytest from exiting: end this session's children, by pid, as Lightning Apps' own conftest did.
    with open("/proc/self/cmdline", "rb") as own:
        session = own.read()
    _terminate(_children(os.getpid()))  # an app ends cleanly on SIGTERM, removing its folders; SIGKILL cannot
    pending, ended = _children(os.getpid()), []
    while pending:
        pid = pending.pop()
        pending.extend(_children(pid))
        if not _running(pid):  # ended (a zombie until its parent reaps it)
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()
            ended.append("a fork of this pytest session (a multiprocessing.Process a test started)" if command == session
                         else command.replace(b"\0", b" ").decode(errors="replace").strip()[:200])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    _write_results(ended)


def _terminate(pids: list, grace: float = 5.0) -> None:
    """SIGTERM to `pids`, then wait up to `grace` seconds for them to end."""
    import time

    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(map(_running, pids)):
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _write_results(leftovers: list) -> None:
    path = os.environ.get("LIGHTNING_APPS_TEST_RESULTS")
    if path:
        with open(path, "w") as handle:
            json.dump({"tests": _RESULTS, "leftover processes": leftovers}, handle, indent=1)
