"""`lightwork run app.py` and friends."""
from __future__ import annotations

import sys

import click

from .drive import drive


@click.group()
@click.version_option(package_name="lightwork")
def main() -> None:
    """lightwork runs apps made of flows and works (the Lightning App API)."""


@main.command()
@click.argument("target", nargs=-1, required=True)
def run(target: tuple) -> None:
    """Run an app file: `lightwork run app.py` (or the peer's `lightwork run app app.py`)."""
    if len(target) == 2 and target[0] == "app":
        path = target[1]
    elif len(target) == 1:
        path = target[0]
    else:
        raise click.UsageError("expected `lightwork run APP_FILE` or `lightwork run app APP_FILE`")
    import os

    from ..storage.store import OPTIONS_VARIABLE, STORAGE_VARIABLE, check_storage, storage_options, storage_url
    from .load import AppFileError, load_app

    if os.environ.get(STORAGE_VARIABLE) or os.environ.get(OPTIONS_VARIABLE):  # bad settings fail here, not in a work
        try:
            storage_options()
            check_storage(os.environ.get(STORAGE_VARIABLE) or ".")
        except ValueError as exc:
            click.echo(f"lightwork: {exc}", err=True)
            sys.exit(2)
    # Storage lives beside the app unless LIGHTWORK_STORAGE says otherwise; every process inherits this.
    os.environ[STORAGE_VARIABLE] = storage_url(os.path.dirname(os.path.abspath(path)))
    sys.stdout.reconfigure(line_buffering=True)
    try:
        app = load_app(path)
    except AppFileError as exc:
        click.echo(f"lightwork: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BaseException as exc:  # the app file's own code raised while loading
        if isinstance(exc, SystemExit):
            raise
        import traceback

        click.echo(f"lightwork: loading {path} failed", err=True)
        traceback.print_exc()
        sys.exit(1)
    from ..app.loop import run_app

    sys.exit(run_app(app))


main.add_command(drive)
