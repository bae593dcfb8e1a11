"""Commands a flow offers to `lightwork command NAME --arg value`: return them from `configure_commands()`.

    def configure_commands(self):
        return [{"add_name": self.add_name}]

Each is served as `POST /command/NAME` and runs in the app's loop like an API route.
"""
from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class ClientCommand:
    """A Lightning Apps command with client code, which Lightning Apps downloaded and ran on the caller's
    machine. lightwork serves its flow method like any command (`lightwork command NAME --field value` sends
    the arguments) and never runs the client code: running code an app sends is not something a CLI should do."""

    description: str = ""

    def __init__(self, method, requirements: list | None = None) -> None:
        self.method = method
        self.requirements = requirements or []

    def run(self, *args, **kwargs) -> None:
        """Override: what Lightning Apps ran on the caller's machine (never run by lightwork)."""


def collect_commands(root) -> dict:
    """{name: flow method or ClientCommand} from every flow's configure_commands(); ValueError when one is bad."""
    from ..server.serve import ServerError

    commands: dict = {}
    for flow in (c for c in root._lw_components() if c._lw_group == "flows"):
        configure = getattr(flow, "configure_commands", None)
        entries = configure() if configure is not None else None
        if entries is None:
            continue
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, (list, tuple)) or not all(isinstance(e, dict) for e in entries):
            raise ServerError(f"{flow.name}.configure_commands() must return a list of {{'name': method}} dicts")
        for entry in entries:
            for name, method in entry.items():
                if not isinstance(name, str) or not _NAME.fullmatch(name):
                    raise ServerError(f"{flow.name}.configure_commands(): bad command name {name!r} (letters, digits, '_' and '-')")
                if name in commands and commands[name] == method:
                    continue  # a parent listing its child's commands, as apps written for Lightning Apps do (it read only the root's)
                if name in commands:
                    raise ServerError(f"{flow.name}.configure_commands(): the command {name!r} is defined twice")
                if not callable(method) and not isinstance(method, ClientCommand):
                    raise ServerError(f"{flow.name}.configure_commands(): {name!r} is not a method")
                commands[name] = method
    return commands


__all__ = ["ClientCommand"]
