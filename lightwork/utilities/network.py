"""Free ports for works that serve, at Lightning Apps' import path (`lightning.app.utilities.network`)."""
from __future__ import annotations

import socket

_given: set = set()  # ports this process handed out: each goes to one work only


def find_free_network_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now and that this process has not handed out before."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host if host not in ("", "0.0.0.0") else "127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _given:
            _given.add(port)
            return port
    raise OSError("no free network port found after 100 tries")


def url_of(host: str, port: int) -> str:
    """The address a browser on this machine uses for a server bound to `host`:`port`."""
    return f"http://{'127.0.0.1' if host in ('', '0.0.0.0', '::') else host}:{port}"


class LightningClient:
    """The Lightning AI cloud's API client: refused when made (that cloud's API is not lightwork's)."""

    def __init__(self, *args, **kwargs) -> None:
        from ._refusal import refuse

        refuse("lightning.app.utilities.network.LightningClient", "it called the Lightning AI cloud's API")
