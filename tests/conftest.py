"""Shared fixtures: run real `lightwork run` processes and make sure none of their processes outlive a test."""
from __future__ import annotations

import textwrap

import pytest

from lightwork.testing import AppRun


@pytest.fixture
def lightwork(tmp_path):
    """`lightwork(source_or_args, env=...)` starts `lightwork run` on an app source (or raw CLI args)."""
    runs: list[AppRun] = []

    def start(app: str | list, env: dict | None = None, name: str = "app.py") -> AppRun:
        if isinstance(app, str):
            (tmp_path / name).write_text(textwrap.dedent(app))
            args = ["run", name]
        else:
            args = list(app)
        run = AppRun(args, tmp_path, env)
        runs.append(run)
        return run

    yield start
    leaked = {run.token: run.cleanup() for run in runs}
    leaked = {token: pids for token, pids in leaked.items() if pids}
    assert not leaked, f"processes left behind (killed now): {leaked}"
