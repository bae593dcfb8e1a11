"""Works that run a Python script: in the work's process (`TracerPythonScript`) or as a child (`PopenPythonScript`)."""
from __future__ import annotations

import glob
import os
import subprocess
import sys
import tarfile
from typing import TypedDict

from ..core.work import LightningWork
from ..storage.payload import Payload
from ..utilities.tracer import Tracer


class Code(TypedDict):
    """Where a TracerPythonScript finds its code: a .tar.gz named `name` in `drive`."""

    drive: object
    name: str


def _as_list(script_args) -> list:
    if isinstance(script_args, str):
        return script_args.split(" ")
    return list(script_args or [])


class TracerPythonScript(LightningWork):
    """Runs `script_path` as `__main__` in the work's process, with `script_args` as its sys.argv and `env` set.

    `run(**kwargs)` makes the keyword arguments (Payloads as their values) globals of the script, and `run(params)`
    adds `key=value` arguments. After the script, each name in `outputs` becomes a state attribute: a Payload of
    the script's global of that name, or, when there is no such global, a Path to the file (or list of files)
    the name matches. `configure_tracer()` can wrap the script's classes (a `Tracer`).
    """

    def __init__(self, script_path: str, script_args=None, outputs: list | None = None, env: dict | None = None, code: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.script_path = str(script_path)
        self.script_args = _as_list(script_args)
        self.original_args = list(self.script_args)
        self.env = env
        self.outputs = list(outputs or [])
        for name in self.outputs:
            setattr(self, name, None)
        self.params = None
        self.drive = code.get("drive") if code else None
        self.code_name = code.get("name") if code else None
        self.restart_count = 0

    def on_before_run(self) -> None:
        """Called before the script runs."""

    def on_after_run(self, res: dict):
        """Called with the script's globals after it ran: collects `outputs`."""
        for name in self.outputs:
            if name in res:
                setattr(self, name, Payload(res[name]))
                continue
            from ..storage.path import Path

            found = sorted(glob.glob(name))
            if not found:
                raise FileNotFoundError(f"{type(self).__name__} output {name!r} is neither a global of {self.script_path} nor a file it wrote")
            paths = [Path(f"lit://{os.path.relpath(p)}") for p in found]
            setattr(self, name, paths[0] if len(paths) == 1 and not glob.has_magic(name) else paths)

    def configure_tracer(self) -> Tracer:
        """Override to trace (wrap) classes the script uses."""
        return Tracer()

    def run(self, params: dict | None = None, restart_count: int | None = None, code_dir: str = ".", **kwargs):
        if restart_count:
            self.restart_count = restart_count
        if params:
            self.params = params
            self.script_args = self.original_args + [f"{k}={v}" for k, v in params.items()]
        if self.drive is not None and self.code_name:
            self._fetch_code(code_dir)
        previous = os.getcwd()
        os.chdir(code_dir)
        try:
            if not os.path.exists(self.script_path):
                raise FileNotFoundError(f"{type(self).__name__}: the script {self.script_path} was not found (from {os.getcwd()})")
            scope = {k: v.value if isinstance(v, Payload) else v for k, v in kwargs.items()}
            self.on_before_run()
            saved_env = dict(os.environ)
            os.environ.update({k: str(v) for k, v in (self.env or {}).items()})
            try:
                res = self.configure_tracer().trace(self.script_path, *self.script_args, init_globals=scope)
            finally:
                os.environ.clear()
                os.environ.update(saved_env)
            return self.on_after_run(res)
        finally:
            os.chdir(previous)

    def _fetch_code(self, code_dir: str) -> None:
        """The script's code, kept as a .tar.gz in a Drive, unpacked into `code_dir`."""
        if self.code_name in self.drive.list():
            self.drive.get(self.code_name, overwrite=True)
            with tarfile.open(self.code_name, "r:gz") as archive:
                archive.extractall(code_dir, filter="data") if hasattr(tarfile, "data_filter") else archive.extractall(code_dir)


class PopenPythonScript(LightningWork):
    """Runs `script_path` with this Python in a child process; its output shows as the work's, and a non-zero
    exit fails the call. `pid` and `exit_code` are state."""

    def __init__(self, script_path: str, script_args=None, env: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not os.path.exists(script_path):
            raise FileNotFoundError(f"PopenPythonScript: the script {script_path} was not found")
        self.script_path = str(script_path)
        self.script_args = _as_list(script_args)
        self.env = env
        self.pid = None
        self.exit_code = None

    def on_before_run(self) -> None:
        """Called before the script starts."""

    def on_after_run(self) -> None:
        """Called after the script ended well."""

    def configure_tracer(self) -> Tracer:
        return Tracer()

    def run(self) -> None:
        self.on_before_run()
        env = {**os.environ, **{k: str(v) for k, v in self.env.items()}} if self.env else None
        with subprocess.Popen([sys.executable, self.script_path, *self.script_args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env) as proc:
            self.pid = proc.pid
            for line in proc.stdout:
                print(line.decode(errors="replace"), end="")
            self.exit_code = proc.wait()
        if self.exit_code != 0:
            raise RuntimeError(f"{self.script_path} exited with code {self.exit_code}")
        self.on_after_run()


__all__ = ["Code", "PopenPythonScript", "TracerPythonScript"]
