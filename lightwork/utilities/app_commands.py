"""`run_app_commands(file)`: run an app file's `# !command` setup lines (`lightning.app.utilities.app_commands`)."""
from __future__ import annotations

import subprocess

__all__ = ["run_app_commands"]


def run_app_commands(filepath: str) -> None:
    """Run each `# !command` comment line of `filepath` in order, in a shell; a failing one raises
    RuntimeError naming its line (as `lightwork run --setup` does, without the requirements.txt step)."""
    from ..cli.setup import _with_this_python, setup_commands

    for number, command in setup_commands(filepath):
        if subprocess.run(_with_this_python(command), shell=True).returncode:
            raise RuntimeError(f"setup command on line {number} of {filepath} failed: {command}")
