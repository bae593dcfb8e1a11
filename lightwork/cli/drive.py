"""`lightwork drive ls|get|put|rm lit://name[/path]`: look into and copy out of an app's drives."""
from __future__ import annotations

import os
import sys

import click

_storage_option = click.option("--storage", default=None, help="Storage root URL (default: LIGHTWORK_STORAGE, else APP_FOLDER/.lightwork).")
_folder_option = click.option("--app-folder", default=".", show_default=True, help="The folder of the app whose drives to use.")
_name_option = click.option("--name", default=None, help="The app's name, if it ran with `lightwork run --name NAME` (its drives are then in STORAGE/apps/NAME).")


def _app_option(fn):
    return _folder_option(_name_option(fn))


def _open(address: str, storage: str | None, app_folder: str, app_name: str | None = None):
    """(Store of the drive, relative path) for `lit://name[/path]`; exits 2 on a bad address."""
    from ..storage.drive import Drive
    from ..storage.store import Store, check_relative, drive_url, storage_url
    from .legacy import check_app_name, named_storage

    try:
        root = storage or storage_url(app_folder)
        if app_name is not None:
            root = named_storage(root, check_app_name(app_name))
        if not address.startswith("lit://"):
            raise ValueError(f"expected lit://DRIVE[/PATH], not {address!r}")
        name, _, path = address[len("lit://") :].partition("/")
        drive = Drive("lit://" + name)
        path = check_relative(path or ".", allow_root=True)
        store = Store(drive_url(drive.name, root))
    except ValueError as exc:
        click.echo(f"lightwork: {exc}", err=True)
        sys.exit(2)
    return store, path


def _fail(exc: Exception, code: int = 1):
    click.echo(f"lightwork: {exc}", err=True)
    sys.exit(code)


@click.group()
def drive() -> None:
    """Look into and copy files in and out of an app's drives."""


@drive.command("ls")
@click.argument("address")
@_storage_option
@_app_option
def list_(address: str, storage, app_folder, name) -> None:
    """List the files and folders under lit://DRIVE[/PATH]."""
    store, path = _open(address, storage, app_folder, name)
    for entry in store.list(path):
        click.echo(entry + ("/" if store.isdir(entry) else ""))


@drive.command()
@click.argument("address")
@click.argument("destination", default=".")
@click.option("--overwrite", is_flag=True, help="Replace local files that differ.")
@_storage_option
@_app_option
def get(address: str, destination: str, overwrite: bool, storage, app_folder, name) -> None:
    """Copy lit://DRIVE/PATH (a file or folder) to DESTINATION (default: here)."""
    store, path = _open(address, storage, app_folder, name)
    files = store.walk_files(path)
    if not files:
        _fail(FileNotFoundError(f"{address} does not exist"))
    base = os.path.dirname(path) if path != "." else ""
    targets = []
    for stored in files:
        relative = os.path.relpath(stored, base) if base else stored
        target = os.path.join(destination, relative) if os.path.isdir(destination) or len(files) > 1 or store.isdir(path) else destination
        if os.path.exists(target) and not overwrite:
            _fail(FileExistsError(f"{target} exists; pass --overwrite to replace it"))
        targets.append((stored, target))
    for stored, target in targets:
        store.get_file(stored, target)
        click.echo(target)


@drive.command()
@click.argument("source", type=click.Path(exists=True))
@click.argument("address")
@_storage_option
@_app_option
def put(source: str, address: str, storage, app_folder, name) -> None:
    """Copy the local file or folder SOURCE into lit://DRIVE[/PATH]."""
    store, path = _open(address, storage, app_folder, name)
    if path == "." or address.endswith("/"):
        path = os.path.basename(os.path.normpath(source)) if path == "." else f"{path}/{os.path.basename(os.path.normpath(source))}"
    try:
        store.put_tree(source, path)
    except ValueError as exc:
        _fail(exc, 2)


@drive.command()
@click.argument("address")
@_storage_option
@_app_option
def rm(address: str, storage, app_folder, name) -> None:
    """Remove the file or folder lit://DRIVE/PATH."""
    store, path = _open(address, storage, app_folder, name)
    if path == ".":
        _fail(ValueError("name a file or folder in the drive, not the whole drive"), 2)
    try:
        store.delete(path)
    except FileNotFoundError as exc:
        _fail(exc)
