"""`lightwork run app.py` and friends."""
from __future__ import annotations

import sys

import click

from .._interrupts import INTERRUPTS
from .command import command
from .drive import drive
from .init import init


class _Main(click.Group):
    """The `lightwork` command: a Ctrl+C anywhere ends it with exit code 130 and nothing printed."""

    def main(self, *args, **kwargs):
        INTERRUPTS.install()
        return super().main(*args, **kwargs)

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            _interrupted()

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


def _interrupted() -> None:
    INTERRUPTS.stopping = True  # what is left is Python's own exit: no more KeyboardInterrupt
    sys.exit(INTERRUPTS.exit_code)


@click.group(cls=_Main)
@click.version_option(package_name="lightwork")
def main() -> None:
    """lightwork runs apps made of flows and works (the Lightning App API)."""


class _RunCommand(click.Command):
    """`run`, whose words after `--app_args` (or `--`) are the app's own arguments, never lightwork's."""

    def parse_args(self, ctx, args):
        cut = next((i for i, word in enumerate(args) if word in ("--app_args", "--")), None)
        if cut is not None:
            args, ctx.meta["app_args"] = args[:cut], args[cut + 1 :]
        return super().parse_args(ctx, args)


@main.command(cls=_RunCommand)
@click.argument("target", nargs=-1, required=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the app's web server binds (other than loopback needs --token or --enable-basic-auth).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port of the app's web server [default: 7501, or the next free one].")
@click.option("--no-ui", "--without-server", "no_ui", is_flag=True, envvar="LIGHTWORK_NO_UI", help="Run without the web server (no state API, web UI or frontends; or set LIGHTWORK_NO_UI=1).")
@click.option("--token", default=None, help="Secret every changing request and websocket must present (or set LIGHTWORK_TOKEN).")
@click.option("--enable-basic-auth", "basic_auth", default=None, metavar="USER:PASSWORD", help="Protect the web UI, the API and the websocket with these credentials (or set LIGHTWORK_BASIC_AUTH).")
@click.option("--name", default=None, metavar="NAME", help="The app's name: shown by the web UI; the app then keeps its drives in STORAGE/apps/NAME.")
@click.option("--open-ui", type=bool, default=False, metavar="BOOL", help="true: open the web UI in this machine's browser, if it has one [default: false, the URL is printed].")
@click.option("--runtime", type=click.Choice(["process", "ray"]), default="process", show_default=True, envvar="LIGHTWORK_RUNTIME", help="Where works run: local processes, or Ray actors (or set LIGHTWORK_RUNTIME).")
@click.option("--ray-address", default=None, help="Ray cluster to join with --runtime ray [default: RAY_ADDRESS, else a local Ray started and stopped with the app].")
@click.option("--env", "env", multiple=True, metavar="NAME=VALUE", help="Set an environment variable for the app and its works (repeatable).")
@click.option("--setup", "-s", is_flag=True, help="First run the app file's `# !command` comment lines and `pip install -r` its folder's requirements.txt.")
@click.option("--blocking", type=bool, default=False, metavar="BOOL", help="Accepted for Lightning Apps' scripts; no effect: `lightwork run` always stays in the foreground until the app ends.")
@click.option("--app_args", is_flag=True, help="Every word after it goes to the app as its sys.argv[1:] (`--` works too).")
@click.option("--cloud", is_flag=True, hidden=True)
@click.option("--cluster-id", hidden=True)
@click.option("--secret", multiple=True, hidden=True)
@click.option("--no-cache", is_flag=True, hidden=True)
@click.pass_context
def run(ctx, target: tuple, host: str, port: int | None, no_ui: bool, token: str | None, basic_auth: str | None,
        name: str | None, open_ui: bool, runtime: str, ray_address: str | None, env: tuple, setup: bool,
        blocking: bool, app_args: bool, **refused) -> None:
    """Run an app file: `lightwork run app.py` (or Lightning Apps' `lightwork run app app.py`)."""
    from .legacy import REFUSED

    for option, given in refused.items():
        if given:
            _usage_error(REFUSED[option])
    if len(target) == 2 and target[0] == "app":
        path = target[1]
    elif len(target) == 1:
        path = target[0]
    else:
        raise click.UsageError("expected `lightwork run APP_FILE` or `lightwork run app APP_FILE` (the app's own arguments go after --app_args)")
    import os

    from .setup import SetupError, parse_env, run_setup

    try:
        os.environ.update(parse_env(env))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--env") from None
    _check_access(basic_auth, name)
    if setup:
        try:
            run_setup(path)
        except SetupError as exc:
            click.echo(f"lightwork: {exc}", err=True)
            sys.exit(2)

    if ray_address and runtime != "ray":
        raise click.UsageError("--ray-address needs --runtime ray")
    if runtime == "ray":
        if not (ray_address or os.environ.get("RAY_ADDRESS")):
            from ..runtime.ray_head import prefer_token_auth

            prefer_token_auth()  # before anything imports Ray, which reads the mode once
        try:
            import ray  # noqa: F401 - needed now; a missing extra is one line, before the app loads
        except ImportError:
            from ..runtime.ray_actors import INSTALL_HINT

            click.echo(f"lightwork: --runtime ray needs Ray, which is not installed: {INSTALL_HINT}", err=True)
            sys.exit(2)
    from ..core import context
    from ..storage.store import OPTIONS_VARIABLE, STORAGE_VARIABLE, check_storage, storage_options, storage_url
    from .load import AppFileError, load_app

    context.set_runtime(runtime)  # a MultiNode made while the app loads starts all its ranks on Ray only

    if os.environ.get(STORAGE_VARIABLE) or os.environ.get(OPTIONS_VARIABLE):  # bad settings fail here, not in a work
        try:
            storage_options()
            check_storage(os.environ.get(STORAGE_VARIABLE) or ".")
        except ValueError as exc:
            click.echo(f"lightwork: {exc}", err=True)
            sys.exit(2)
    # Storage lives beside the app unless LIGHTWORK_STORAGE says otherwise; every process inherits this.
    os.environ[STORAGE_VARIABLE] = storage_url(os.path.dirname(os.path.abspath(path)))
    if name:
        from ..server.serve import NAME_VARIABLE
        from .legacy import named_storage

        os.environ[NAME_VARIABLE] = name
        os.environ[STORAGE_VARIABLE] = named_storage(os.environ[STORAGE_VARIABLE], name)
    sys.stdout.reconfigure(line_buffering=True)
    sys.argv = [path, *ctx.meta.get("app_args", [])]  # what the app's own argparse sees, as under `python app.py`
    from .. import compat

    compat.reach_child_processes()  # this command's own process: what it starts gets the aliases too
    try:
        app = load_app(path)
    except AppFileError as exc:
        click.echo(f"lightwork: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the app file's own code raised while loading
        if isinstance(exc, SystemExit):
            raise
        import traceback

        click.echo(f"lightwork: loading {path} failed", err=True)
        traceback.print_exc()
        sys.exit(1)
    code = _serve_and_run(app, host, port, no_ui, token, _runtime_factory(runtime, ray_address), basic_auth, open_ui)
    sys.exit(INTERRUPTS.exit_code if INTERRUPTS.count else code)


def _usage_error(message: str) -> None:
    click.echo(f"lightwork: {message}", err=True)
    sys.exit(2)


def _check_access(basic_auth: str | None, name: str | None) -> None:
    """Refuse malformed --enable-basic-auth and --name values in one line each, before anything runs."""
    from ..server.auth import parse_basic_auth
    from .legacy import check_app_name

    if basic_auth is not None:
        try:
            parse_basic_auth(basic_auth)
        except ValueError as exc:
            _usage_error(f"--enable-basic-auth: {exc}")
    if name is not None:
        try:
            check_app_name(name)
        except ValueError as exc:
            _usage_error(f"--name: {exc}")


def _runtime_factory(runtime: str, ray_address: str | None):
    """What makes the app's runtime: None for the process runtime (the loop's default)."""
    if runtime != "ray":
        return None
    import functools

    from ..runtime.ray_actors import RayRuntime

    return functools.partial(RayRuntime, address=ray_address)


def _serve_and_run(app, host: str, port: int | None, no_ui: bool, token: str | None, runtime_factory=None,
                   basic_auth: str | None = None, open_ui: bool = False) -> int:
    """Run the loaded app, with its web server unless `no_ui`; return the exit code."""
    import os
    import shutil
    import tempfile
    import uuid

    from ..app.loop import AppLoop
    from ..runtime.output import LOG_DIR_VARIABLE, LOG_FOLDER_PREFIX
    from ..server import AppServer, ServerError

    server = log_dir = loop = None
    try:
        with INTERRUPTS.holding():  # a Ctrl+C while starting lands once every part is in place to be stopped
            if not no_ui:  # bound before the loop forks: the app's processes inherit its address, token and log folder
                log_dir = os.path.join(tempfile.gettempdir(), f"{LOG_FOLDER_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}")
                os.mkdir(log_dir, 0o700)  # named first: whatever happens next, the cleanup below knows it
                try:
                    server = AppServer(host, port, token, log_dir, basic_auth)
                except ServerError as exc:
                    click.echo(f"lightwork: {exc}", err=True)
                    return 2
                os.environ[LOG_DIR_VARIABLE] = log_dir
            try:
                loop = AppLoop(app, runtime_factory)
            except (RuntimeError, ValueError) as exc:  # the runtime cannot run this app (a Ray cluster it cannot use)
                click.echo(f"lightwork: {exc}", err=True)
                return 2
            if server is not None:
                code = _start_server(server, loop, open_ui)
                if code:
                    return code
        return loop.run()
    finally:
        INTERRUPTS.stopping = True  # first, and no call before it: cleanup is never cut short by a Ctrl+C
        if loop is not None:
            loop.shutdown()  # done already when the loop ran
        if server is not None:
            server.stop()
        if log_dir is not None:
            shutil.rmtree(log_dir, ignore_errors=True)
            os.environ.pop(LOG_DIR_VARIABLE, None)


def _start_server(server, loop, open_ui: bool = False) -> int:
    """Serve the app: 0, or the exit code after printing why the server cannot start."""
    from ..server import ServerError

    try:
        server.attach(loop)
        server.start()
    except (ServerError, ImportError, ValueError, TypeError) as exc:  # a bad layout, a frontend not installed
        click.echo(f"lightwork: {exc}", err=True)
        return 2 if isinstance(exc, ServerError) else 1
    except Exception:  # the flows' own configure_layout/api/commands code failed
        import traceback

        click.echo("lightwork: the app's configure_layout, configure_api or configure_commands failed", err=True)
        traceback.print_exc()
        return 1
    if server.moved_from:
        click.echo(f"lightwork: port {server.moved_from} is in use; serving on port {server.port} instead", err=True)
    click.echo(f"INFO: Your app has started. View it in your browser: {server.url}/view")
    if open_ui:
        from .legacy import open_browser

        if not open_browser(f"{server.url}/view"):
            click.echo("lightwork: --open-ui: no web browser to open here (no display, and BROWSER is not set)", err=True)
    return 0


main.add_command(drive)
main.add_command(command)
main.add_command(init)
