"""Helpers for the benchmarks: run an app, read process memory and CPU, print a result row."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lightwork.testing import AppRun  # noqa: E402


@contextmanager
def app_run(source: str, env: dict | None = None, parent: str | None = None):
    """Start `lightwork run` on `source` in a temporary folder (inside `parent` when given); kill whatever is
    left and remove the folder after."""
    folder = Path(tempfile.mkdtemp(prefix="lightwork-bench-", dir=parent))
    (folder / "app.py").write_text(textwrap.dedent(source))
    run = AppRun(["run", "app.py"], folder, env)
    try:
        yield run
    finally:
        left = run.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
        if left:
            print(f"warning: killed {len(left)} processes left behind by the benchmark app", file=sys.stderr)


def unique_memory_mb(pids: list[int]) -> float:
    """Sum of each process's private (unshared) memory, from /proc/<pid>/smaps_rollup."""
    total_kb = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith(("Private_Clean:", "Private_Dirty:")):
                        total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, **figures) -> dict:
    """Print one result as a JSON line (run_all.py collects them)."""
    row = {"benchmark": name, **figures}
    print(json.dumps(row))
    return row


def last_json(run: AppRun, marker: str) -> dict:
    """The JSON printed by the app after `marker` on one line."""
    for line in reversed(run.stdout_lines):
        if line.startswith(marker):
            return json.loads(line[len(marker) :])
    raise RuntimeError(f"the app printed no {marker!r} line\n{run.stdout}\n{run.stderr}")
