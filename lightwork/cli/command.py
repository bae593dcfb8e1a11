"""`lightwork command NAME --arg value`: call a command a running app's flows offer (configure_commands)."""
from __future__ import annotations

import json
import os
import sys

import click

DEFAULT_URL = "http://127.0.0.1:7501"


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.option("--url", default=None, help=f"The app's address [default: LIGHTWORK_APP_URL, else {DEFAULT_URL}].")
@click.option("--token", default=None, help="The app's token, if it has one (or set LIGHTWORK_TOKEN).")
@click.option("--basic-auth", default=None, metavar="USER:PASSWORD", help="The app's credentials, if it was run with --enable-basic-auth (or set LIGHTWORK_BASIC_AUTH).")
@click.option("--help", "show_help", is_flag=True, help="List the app's commands, or a command's arguments.")
@click.argument("name", required=False)
@click.pass_context
def command(ctx, url, token, basic_auth, show_help, name) -> None:
    """Call a command of a running app: `lightwork command NAME --arg value` (`--help` lists them)."""
    from ..server.auth import client_headers

    url = (url or os.environ.get("LIGHTWORK_APP_URL") or DEFAULT_URL).rstrip("/")
    try:
        headers = client_headers(token, basic_auth)
    except ValueError as exc:
        click.echo(f"lightwork: --basic-auth (or LIGHTWORK_BASIC_AUTH): {exc}", err=True)
        sys.exit(2)
    if show_help or not name:
        click.echo(ctx.get_help())
        commands = _request("GET", f"{url}/api/v1/commands", headers, required=not show_help)
        if commands is not None:
            _list(commands, name)
        return
    try:
        arguments = _arguments(ctx.args)
    except click.UsageError as exc:
        click.echo(f"lightwork: {exc.message}", err=True)
        sys.exit(2)
    result = _request("POST", f"{url}/command/{name}", headers, body=arguments)
    click.echo(result if isinstance(result, str) else json.dumps(result, indent=2))


def _arguments(words: list) -> dict:
    """`--name value`, `--name=value` and bare `--flag` (true); values are JSON when they parse, else text."""
    arguments, i = {}, 0
    while i < len(words):
        word = words[i]
        if not word.startswith("--") or len(word) == 2:
            raise click.UsageError(f"expected --NAME VALUE, got {word!r}")
        key, has_value, value = word[2:].partition("=")
        if not has_value:
            if i + 1 < len(words) and not words[i + 1].startswith("--"):
                value, i = words[i + 1], i + 1
            else:
                value = "true"
        try:
            arguments[key.replace("-", "_")] = json.loads(value)
        except ValueError:
            arguments[key.replace("-", "_")] = value
        i += 1
    return arguments


def _request(method: str, url: str, headers: dict, body=None, required: bool = True):
    import httpx

    try:
        response = httpx.request(method, url, headers=headers, json=body, timeout=60)
    except httpx.HTTPError:
        if not required:
            click.echo("\n(no app answers there: start one with `lightwork run app.py`, or pass --url)")
            return None
        click.echo(f"lightwork: no app answers at {url.split('/command')[0].split('/api')[0]}: start one with "
                   f"`lightwork run app.py`, or pass --url", err=True)
        sys.exit(1)
    try:
        payload = response.json()
    except ValueError:
        payload = response.text
    if response.status_code >= 400:
        detail = payload.get("detail", payload) if isinstance(payload, dict) else payload
        if response.status_code == 404 and "/command/" in url:
            detail = f"the app has no command {url.rsplit('/', 1)[-1]!r} (`lightwork command --help` lists them)"
        elif response.status_code == 401:
            detail = f"the app refused: {detail} (pass --token or --basic-auth USER:PASSWORD, or set LIGHTWORK_TOKEN or LIGHTWORK_BASIC_AUTH)"
        click.echo(f"lightwork: {detail if isinstance(detail, str) else json.dumps(detail)}", err=True)
        sys.exit(2 if response.status_code in (400, 404, 422) else 1)
    return payload


def _list(commands: list, only: str | None) -> None:
    click.echo("\nCommands of the app:" if commands else "\nThe app has no commands.")
    for entry in commands:
        if only and entry["name"] != only:
            continue
        params = " ".join(f"--{p['name']} {p['type'].upper()}" if p["required"] else f"[--{p['name']} {p['type'].upper()}]"
                          for p in entry["params"])
        note = "  (a client command: its arguments go to the flow; its client code is not run)" if entry.get("client") else ""
        click.echo(f"  {entry['name']} {params}{note}")
        if entry["description"]:
            click.echo(f"      {entry['description']}")
