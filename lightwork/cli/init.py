"""`lightwork init app NAME` and `lightwork init component NAME`: a small project that runs as it is."""
from __future__ import annotations

import keyword
import os
import re
import sys

import click

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_TAKEN = {"lightwork", "lightning", "lightning_app", "app", "tests"}  # would hide a module the project imports


@click.group()
def init() -> None:
    """Start a new app or component from a small template that runs as it is."""


@init.command("app")
@click.argument("name")
def init_app(name: str) -> None:
    """Make the folder NAME with an app (a flow and a work), its test and a README."""
    folder, package = _start(name)
    _write(folder, _app_files(name, package))
    click.echo(f"Made the app {name} in {folder}\n"
               f"  run it:       lightwork run {name}/app.py\n"
               f"  test it:      python -m pytest {name}")


@init.command("component")
@click.argument("name")
def init_component(name: str) -> None:
    """Make the folder NAME with a work to share (an installable package), an app that uses it and its tests."""
    folder, package = _start(name)
    _write(folder, _component_files(name, package, _class_name(name)))
    click.echo(f"Made the component {name} in {folder}\n"
               f"  try it:       lightwork run {name}/app.py\n"
               f"  test it:      python -m pytest {name}\n"
               f"  install it:   pip install -e {name}    (then `from {package} import {_class_name(name)}` anywhere)")


def _start(name: str) -> tuple[str, str]:
    """(the new folder, the package name) for `name`; exits 2 with one line when it cannot be used."""
    package = name.lower().replace("-", "_")
    if not _NAME.fullmatch(name):
        _refuse(f"bad name {name!r}: use 1-64 letters, digits, '-' or '_', starting with a letter")
    if keyword.iskeyword(package) or package in sys.stdlib_module_names or package in _TAKEN:
        _refuse(f"the name {name!r} would make a package {package!r} that hides a module of that name: choose another")
    folder = os.path.abspath(name)
    if os.path.exists(folder):
        _refuse(f"{folder} exists already: choose another name, or remove it first")
    return folder, package


def _refuse(message: str) -> None:
    click.echo(f"lightwork: {message}", err=True)
    sys.exit(2)


def _write(folder: str, files: dict) -> None:
    for relative, text in files.items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text.lstrip("\n"))


def _class_name(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]+", name) if part)


def _fill(text: str, **values: str) -> str:
    for key, value in values.items():
        text = text.replace(f"<<{key}>>", value)
    return text


def _app_files(name: str, package: str) -> dict:
    values = {"name": name, "package": package}
    return {relative: _fill(text, **values) for relative, text in {
        "app.py": _APP,
        f"{package}/__init__.py": _APP_PACKAGE,
        f"{package}/components.py": _APP_COMPONENTS,
        "tests/test_app.py": _APP_TEST,
        "pyproject.toml": _PYPROJECT,
        "README.md": _APP_README,
    }.items()}


def _component_files(name: str, package: str, class_name: str) -> dict:
    values = {"name": name, "package": package, "class": class_name}
    return {relative: _fill(text, **values) for relative, text in {
        f"{package}/__init__.py": _COMPONENT_PACKAGE,
        f"{package}/component.py": _COMPONENT,
        "app.py": _COMPONENT_APP,
        "tests/test_component.py": _COMPONENT_TEST,
        "pyproject.toml": _PYPROJECT,
        "README.md": _COMPONENT_README,
    }.items()}


_PYPROJECT = '''
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "<<name>>"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["lightwork"]

[tool.setuptools]
packages = ["<<package>>"]

[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]
'''

# -- `lightwork init app` -----------------------------------------------------------------------------------
_APP = '''
"""<<name>>: run it with `lightwork run app.py` (add `--open-ui true` to open the web UI in a browser)."""
import lightwork as L

from <<package>> import Counter, Reporter


class Root(L.LightningFlow):
    """Starts the counter, passes its progress to the reporter, and ends the app when the counter is done."""

    def __init__(self) -> None:
        super().__init__()
        self.counter = Counter(target=5)
        self.reporter = Reporter()

    def run(self) -> None:
        self.counter.run()  # parallel: returns at once; the work runs once, in its own process
        self.reporter.run(self.counter.count)
        if self.counter.has_succeeded:
            self.stop(f"<<name>>: counted to {self.counter.count}")  # remove this line to keep the app (and its UI) up


app = L.LightningApp(Root())
'''

_APP_PACKAGE = '''
"""The components of <<name>>."""
from .components import Counter, Reporter

__all__ = ["Counter", "Reporter"]
'''

_APP_COMPONENTS = '''
"""A work that does the app's job in a process of its own, and a flow that reports on it."""
import time

import lightwork as L


class Counter(L.LightningWork):
    """Counts from 0 to `target`, a step every `pause` seconds. `count` is state: the flow (and the web UI)
    see each step as it happens."""

    def __init__(self, target: int = 5, pause: float = 0.2) -> None:
        super().__init__(parallel=True)
        self.target = target
        self.pause = pause
        self.count = 0

    def run(self) -> None:
        while self.count < self.target:
            time.sleep(self.pause)
            self.count += 1


class Reporter(L.LightningFlow):
    """Prints the count it is given whenever it changed."""

    def __init__(self) -> None:
        super().__init__()
        self.last = -1

    def run(self, count: int) -> None:
        if count != self.last:
            self.last = count
            print(f"count: {count}")
'''

_APP_TEST = '''
"""<<name>>'s tests: the work on its own, then the whole app as `lightwork run` runs it."""
import os

from lightwork.testing import AppRun

from <<package>> import Counter

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_counter_counts_to_its_target():
    counter = Counter(target=3, pause=0)
    counter.run()  # here, in the test's process
    assert counter.count == 3


def test_the_app_runs_and_stops_when_the_counter_is_done():
    run = AppRun(["run", "app.py", "--no-ui"], cwd=PROJECT)
    try:
        assert run.wait(timeout=120) == 0, run.stderr
        assert run.stdout_lines[-1] == "<<name>>: counted to 5"
        assert "count: 0" in run.stdout_lines
    finally:
        assert run.cleanup() == []  # no process of the app is left
'''

_APP_README = '''
# <<name>>

An app made with `lightwork init app`: the flow `Root` (in `app.py`) runs the work `Counter` in a process of
its own, hands its progress to the flow `Reporter` and stops the app when the counter is done.

```bash
lightwork run app.py                    # serves the web UI at http://127.0.0.1:7501/view while it runs
lightwork run app.py --open-ui true     # ... and opens it in this machine's browser
python -m pytest                        # the tests in tests/
```

Components live in `<<package>>/`; state is what a component sets in `__init__` (JSON values), and a work's
changes reach the flow as they happen.
'''

# -- `lightwork init component` -----------------------------------------------------------------------------
_COMPONENT_PACKAGE = '''
"""<<name>>: a lightwork component."""
from .component import <<class>>

__all__ = ["<<class>>"]
'''

_COMPONENT = '''
"""<<class>>: a work that other apps can use (`from <<package>> import <<class>>`)."""
import lightwork as L


class <<class>>(L.LightningWork):
    """`run(text)` counts the words of `text`, in the work's own process; `words` is the latest count and
    `calls` how many texts it counted (both state: the flow sees them)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)  # parallel=, cache_calls=, cloud_compute=, ... as any LightningWork
        self.words = 0
        self.calls = 0

    def run(self, text: str) -> None:
        self.words = len(text.split())
        self.calls += 1
'''

_COMPONENT_APP = '''
"""An app that tries <<class>>: `lightwork run app.py`."""
import lightwork as L

from <<package>> import <<class>>


class Demo(L.LightningFlow):
    def __init__(self) -> None:
        super().__init__()
        self.component = <<class>>()

    def run(self) -> None:
        self.component.run("one small step for a component")
        if self.component.has_succeeded:
            self.stop(f"<<class>> counted {self.component.words} words")


app = L.LightningApp(Demo())
'''

_COMPONENT_TEST = '''
"""<<class>>'s tests: in this process, in a process of its own, and in an app under `lightwork run`."""
import os

from lightwork.testing import AppRun, run_work_isolated

from <<package>> import <<class>>

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_it_counts_words():
    component = <<class>>()
    component.run("three little words")
    assert (component.words, component.calls) == (3, 1)


def test_it_counts_words_in_a_process_of_its_own():
    component = <<class>>()
    assert run_work_isolated(component, "a b c d") == 0
    assert component.words == 4


def test_the_demo_app_runs():
    run = AppRun(["run", "app.py", "--no-ui"], cwd=PROJECT)
    try:
        assert run.wait(timeout=120) == 0, run.stderr
        assert run.stdout_lines[-1] == "<<class>> counted 6 words"
    finally:
        assert run.cleanup() == []
'''

_COMPONENT_README = '''
# <<name>>

A component made with `lightwork init component`: the work `<<class>>` (in `<<package>>/component.py`).

```bash
lightwork run app.py        # a small app that uses it
python -m pytest            # its tests (tests/)
pip install -e .            # then any app can `from <<package>> import <<class>>`
```

Replace `run()` with your component's job; what it sets in `__init__` is its state, which the flow that owns
it reads (`self.component.words`) and the web UI shows.
'''
