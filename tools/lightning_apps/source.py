"""Where Lightning Apps' own files come from: Lightning-AI/pytorch-lightning at 330af381de^ (the commit before
Lightning Apps was removed), extracted once from a git clone to a folder outside lightwork's repository."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

COMMIT = "330af381de^"
PARTS = ("tests/tests_app", "examples/app")
DEFAULT_REPOS = ("/work/.mirror/Lightning-AI+pytorch-lightning/repo",)  # where this project's tools put a clone


def lightning_apps(repo: str | None = None) -> Path:
    """A folder holding `tests/tests_app` and `examples/app` of Lightning Apps: LIGHTNING_APPS_SOURCE if set, else
    extracted (once) from the clone `repo` (or LIGHTNING_REPO, or a clone where this project's tools keep one)."""
    given = os.environ.get("LIGHTNING_APPS_SOURCE")
    if given:
        return Path(given)
    target = Path(tempfile.gettempdir()) / "lightning-apps-330af381de"
    if all((target / part).is_dir() for part in PARTS):
        return target
    candidates = [repo, os.environ.get("LIGHTNING_REPO"), *DEFAULT_REPOS]
    clone = next((c for c in candidates if c and Path(c).exists()), None)
    if clone is None:
        sys.exit("no clone of Lightning-AI/pytorch-lightning: pass --repo PATH (git clone "
                 "https://github.com/Lightning-AI/pytorch-lightning), or set LIGHTNING_APPS_SOURCE to an extracted copy")
    target.mkdir(parents=True, exist_ok=True)
    git_dir = Path(clone) / ".git" if (Path(clone) / ".git").exists() else Path(clone)  # a clone, or a bare one
    archive = subprocess.run(["git", f"--git-dir={git_dir}", "archive", COMMIT, *PARTS], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target
