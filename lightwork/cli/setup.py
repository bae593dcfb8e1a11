"""`lightwork run --env` and `--setup`: the app's environment variables and its setup commands."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHEBANGS = ("#!",)  # `#!/usr/bin/env python` is not a setup command


class SetupError(Exception):
    """A setup command failed; the message names the line and the command."""


def parse_env(pairs) -> dict:
    """`("NAME=VALUE", ...)` as a dict; a pair without `=` or with a bad name raises ValueError."""
    found = {}
    for pair in pairs:
        name, has_value, value = pair.partition("=")
        if not has_value or not _NAME.fullmatch(name):
            raise ValueError(f"expected NAME=VALUE with a variable name of letters, digits and _, got {pair!r}")
        found[name] = value
    return found


def setup_commands(path: str) -> list[tuple[int, str]]:
    """The app file's setup commands, as Lightning Apps read them: every comment line `# !command`, with its line."""
    commands = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line.startswith("#") or line.startswith(_SHEBANGS):
                continue
            text = line.lstrip("#").strip()
            if text.startswith("!") and text[1:].strip():
                commands.append((number, text[1:].strip()))
    return commands


def run_setup(path: str) -> None:
    """Run the setup commands of the app file at `path`, then install its folder's requirements.txt."""
    if not os.path.isfile(path):
        return  # the run command says the app file is missing
    for number, command in setup_commands(path):
        print(f"lightwork: setup, line {number}: {command}", flush=True)
        if subprocess.run(_with_this_python(command), shell=True).returncode:
            raise SetupError(f"setup command on line {number} of {path} failed: {command} (its output is above; fix the line and run again)")
    requirements = os.path.join(os.path.dirname(os.path.abspath(path)), "requirements.txt")
    if os.path.isfile(requirements):
        print(f"lightwork: setup: pip install -r {requirements}", flush=True)
        if subprocess.run([sys.executable, "-m", "pip", "install", "-r", requirements]).returncode:
            raise SetupError(f"installing {requirements} failed (pip's output is above)")


def _with_this_python(command: str) -> str:
    """`pip ...` installs for the Python that runs lightwork (a venv's, even when it is not activated)."""
    match = re.match(r"(pip3?|python3? -m pip)(\s|$)", command)
    if match:
        return f"{shlex.quote(sys.executable)} -m pip{command[match.end(1):]}"
    return command
