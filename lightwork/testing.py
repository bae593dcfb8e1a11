"""Testing apps: Lightning Apps' helpers (`LightningTestApp`, `run_work_isolated`, `EmptyFlow`, `EmptyWork`), and
`AppRun`, which runs an app under `lightwork run` and finds every process it started."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

TOKEN_VARIABLE = "LIGHTWORK_TEST_TOKEN"
BANNER = "INFO: Your app has started. View it in your browser: "


def lightwork_command() -> list[str]:
    script = Path(sys.executable).parent / "lightwork"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lightwork"]


def processes_with(token: str) -> list[int]:
    """Pids of live (not zombie) processes whose environment carries `token`; every process of a run inherits it."""
    found, needle = [], f"{TOKEN_VARIABLE}={token}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle not in handle.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _set_limits(rlimits: dict) -> None:
    import resource

    for which, limits in rlimits.items():
        resource.setrlimit(which, limits)


class AppRun:
    """One `lightwork run` process whose output is collected line by line as it comes."""

    def __init__(self, args: list[str], cwd, env: dict | None = None, rlimits: dict | None = None,
                 new_session: bool = False) -> None:
        """`rlimits`: {resource.RLIMIT_*: (soft, hard)} set for the run's process only; `new_session`: the run
        leads a process group of its own, as a terminal's foreground job does (see `interrupt`)."""
        self.token = uuid.uuid4().hex
        full_env = {**os.environ, **(env or {}), TOKEN_VARIABLE: self.token}
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            lightwork_command() + args, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=(lambda: _set_limits(rlimits)) if rlimits else None, start_new_session=new_session,
        )
        self.stdout_lines: list[str] = []
        self.banner: str | None = None  # the line saying where the app's web UI is
        self.stderr_lines: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _pump(self, stream, lines: list) -> None:
        for line in stream:
            with self._changed:
                line = line.rstrip("\n")
                if lines is self.stdout_lines and line.startswith(BANNER) and self.banner is None:
                    self.banner = line  # kept apart, so tests compare the app's own output
                else:
                    lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stdout(self) -> str:
        return "\n".join(self.stdout_lines)

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def wait_for(self, predicate, timeout: float = 20.0, stderr: bool = False) -> None:
        """Wait until `predicate(stdout_lines)` (or of stderr_lines) holds; raise TimeoutError with the output so
        far if it never does."""
        deadline = time.monotonic() + timeout
        lines = self.stderr_lines if stderr else self.stdout_lines
        with self._changed:
            while not predicate(lines):
                left = deadline - time.monotonic()
                ended = self.proc.poll() is not None and not any(r.is_alive() for r in self._readers)
                if left <= 0 or ended:
                    raise TimeoutError(f"output never matched\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}")
                self._changed.wait(min(left, 0.1))

    def wait_line(self, text: str, timeout: float = 20.0, stderr: bool = False) -> None:
        self.wait_for(lambda lines: any(text in line for line in lines), timeout, stderr)

    def wait(self, timeout: float = 30.0) -> int:
        """The exit code; TimeoutError (with the output) if the run has not ended in `timeout` seconds."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"lightwork run did not end in {timeout}s\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}") from None
        for reader in self._readers:
            reader.join(5)
        return code

    def server_url(self, timeout: float = 30.0) -> str:
        """The app's web address, from the line `lightwork run` prints once its server is up."""
        self.wait_for(lambda lines: self.banner is not None, timeout)
        return self.banner.split("View it in your browser: ", 1)[1].strip().removesuffix("/view")

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def interrupt(self) -> None:
        """A terminal's Ctrl+C: SIGINT to the run's whole process group (start it with `new_session=True`)."""
        os.killpg(self.proc.pid, signal.SIGINT)

    def processes(self) -> list[int]:
        return processes_with(self.token)

    def leftovers(self, timeout: float = 3.0) -> list[int]:
        """Processes of this run still alive up to `timeout` seconds from now (none is the goal)."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.processes()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.02)

    def cleanup(self) -> list[int]:
        """Kill the run and anything it left (by pid); return the pids that were left behind."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        left = self.leftovers()
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        return left


# -- Lightning Apps' names (lightning.app.testing) -----------------------------------------------------------------
from .app.app import LightningApp  # noqa: E402 - after the helpers above, which need none of the app
from .core.flow import LightningFlow  # noqa: E402
from .core.work import LightningWork  # noqa: E402


class EmptyFlow(LightningFlow):
    """A flow that does nothing."""

    def run(self) -> None:
        pass


class EmptyWork(LightningWork):
    """A work that does nothing."""

    def run(self) -> None:
        pass


class LightningTestApp(LightningApp):
    """An app a test can watch: `on_before_run_once` / `on_after_run_once` run at every turn of the loop, as
    Lightning Apps' did: around each pass of the root flow and, while nothing changes, about every 0.15 s
    without a pass (`_has_updated` tells which); a value other than None from either ends the app. `counter`
    counts how often they ran."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counter = 0

    def on_before_run_once(self):
        return None

    def on_after_run_once(self):
        self.counter += 1
        return None

    def run_once(self):
        done = self.on_before_run_once()
        if done is not None:
            return done
        done = super().run_once()
        after = self.on_after_run_once()
        return after if after is not None else done

    def kill_work(self, work_name: str, sleep_time: int = 1) -> None:
        """End the process of the work named `work_name` as a SIGTERM from outside would (a machine taken
        back): its status becomes stopped with the reason `sigterm_signal_handler`. `sleep_time` is unused."""
        loop, work = _running_work(self, work_name)
        loop.kill_work(work)

    def restart_work(self, work_name: str) -> None:
        """Start the process of a killed work again; the call that was killed runs again at the flow's next
        call with the same arguments."""
        loop, work = _running_work(self, work_name)
        loop.restart_work(work)


def _running_work(app, work_name: str):
    """(the loop running `app`, its work named `work_name`)."""
    work = app.get_component_by_name(work_name)
    if not isinstance(work, LightningWork):
        raise ValueError(f"{work_name} is a {type(work).__name__}, not a LightningWork: only works have processes")
    loop = LightningWork._lw_backend
    if loop is None or loop.app is not app:
        raise RuntimeError(f"cannot kill or restart {work_name}: the app is not running (call it from its hooks)")
    return loop, work


class _SingleWorkFlow(LightningFlow):
    def __init__(self, work, args, kwargs) -> None:
        super().__init__()
        self.work = work
        self._args, self._kwargs = args, kwargs

    def run(self) -> None:
        if self.work.has_succeeded or self.work.has_failed:
            self.stop()
        self.work.run(*self._args, **self._kwargs)


def run_work_isolated(work, *args, start_server: bool = False, **kwargs) -> int:
    """Run `work.run(*args, **kwargs)` once in its own process; afterwards `work` holds its final state and
    status (succeeded, or failed with raise_exception=False). Returns 0; when the app failed (the work failed
    with raise_exception=True), calls `sys.exit` with the exit code, as MultiProcessRuntime.dispatch() does."""
    from .runners import MultiProcessRuntime

    code = MultiProcessRuntime(LightningApp(_SingleWorkFlow(work, args, kwargs)), start_server=start_server)._run()
    if code:
        sys.exit(code)
    return 0


class ApplicationResult:
    """What `application_testing` returns: `exit_code` (0 when the app ended as it should), as click's
    result of Lightning Apps' run command offered it; `exception` is None, `output` empty (the app's output
    went to this process's stdout)."""

    def __init__(self, exit_code: int) -> None:
        self.exit_code, self.exception, self.output = exit_code, None, ""


def application_testing(lit_app_cls=LightningTestApp, command_line=()) -> ApplicationResult:
    """Run the app file `command_line[0]` in this process as `lightning run app` did, its LightningApp made
    as `lit_app_cls` (a LightningTestApp that decides when it ends). Of the options after the file,
    `--without-server` runs it without the web server and `--env NAME=VALUE` sets a variable; Lightning
    Apps' cloud and browser options (`--blocking`, `--open-ui`, ...) are accepted and not used. Afterwards
    the app file's folder is at the end of `sys.path`, as Lightning Apps' loader left it."""
    from .cli.load import load_app
    from .cli.setup import parse_env
    from .runners import MultiProcessRuntime

    if not command_line:
        raise ValueError("application_testing needs the app file as command_line[0]")
    path, options = command_line[0], list(command_line[1:])
    env = parse_env(options[i + 1] for i, option in enumerate(options[:-1]) if option == "--env")
    saved = (sys.modules.get("__main__"), list(sys.path), sys.argv, {k: os.environ.get(k) for k in env})
    try:
        for module in _offering_app(LightningApp):
            module.LightningApp = lit_app_cls
        os.environ.update(env)
        sys.argv = [path]
        app = load_app(path)
        return ApplicationResult(MultiProcessRuntime(app, start_server="--without-server" not in options)._run())
    finally:
        for module in _offering_app(lit_app_cls):  # those the app file imported meanwhile too
            module.LightningApp = LightningApp
        main, sys.path[:], sys.argv, old_env = saved
        sys.path.append(os.path.dirname(os.path.abspath(path)))  # as Lightning Apps' loader left it (its tests drop it)
        if main is not None:
            sys.modules["__main__"] = main
        for name, value in old_env.items():
            os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)


def _offering_app(cls) -> list:
    """The modules an app file takes LightningApp from (lightwork and the aliases) that now offer `cls`."""
    names = [n for n in list(sys.modules) if n == "lightwork" or n.split(".")[0] in ("lightning", "lightning_app")]
    return [sys.modules[n] for n in names if getattr(sys.modules[n], "LightningApp", None) is cls]


class _Config:
    """The settings of Lightning Apps' cloud tests, from the environment (read when this module is imported)."""

    id = os.getenv("LIGHTNING_USER_ID")
    key = os.getenv("LIGHTNING_API_KEY")
    url = os.getenv("LIGHTNING_CLOUD_URL", "https://lightning.ai")
    api_key = os.getenv("LIGHTNING_API_KEY")
    username = os.getenv("LIGHTNING_USERNAME")
    video_location = os.getenv("VIDEO_LOCATION", "./artifacts/videos")
    har_location = os.getenv("HAR_LOCATION", "./artifacts/hars")
    slowmo = os.getenv("SLOW_MO", "0")


Config = _Config


def run_app_in_cloud(*args, **kwargs):
    from .utilities._refusal import refuse

    refuse("lightning.app.testing.run_app_in_cloud", "it ran the app on the Lightning AI cloud; test it locally "
           "with application_testing or lightwork.testing.AppRun")


def wait_for(*args, **kwargs):
    from .utilities._refusal import refuse

    refuse("lightning.app.testing.wait_for", "it waited on a browser page of an app on the Lightning AI cloud")
