"""AppServer: the app's web server (uvicorn, in a thread of the app's process) and its frontends.

Made in the app's main thread after the loop (which forks first), so the port, the token and the layout
fail with one clear line before anything runs; `start()` serves, `stop()` ends it with the frontends.
"""
from __future__ import annotations

import errno
import ipaddress
import os
import shutil
import socket
import sys
import threading

from .auth import BASIC_AUTH_VARIABLE, TOKEN_VARIABLE, Guard

DEFAULT_PORT = 7501
PORT_TRIES = 50  # ports tried after the default one when it is busy
NAME_VARIABLE = "LIGHTWORK_APP_NAME"  # the app's name (`lightwork run --name`), shown by the web UI
URL_VARIABLE = "LIGHTWORK_APP_URL"  # where a running app's server is, for AppState clients


class ServerError(ValueError):
    """The server cannot start as asked (busy port, missing token, bad layout); the message says how to fix it."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AppServer:
    """Serves one app: `AppServer(host, port, token)` binds (before the loop starts: the app's processes
    inherit its address and token), `attach(loop)` reads the flows' layouts and routes, `start()` serves,
    and `stop()` ends it all."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, token: str | None = None,
                 log_dir: str | None = None, basic_auth: str | None = None) -> None:
        token = token or os.environ.get(TOKEN_VARIABLE) or None
        basic_auth = basic_auth or os.environ.get(BASIC_AUTH_VARIABLE) or None
        try:
            self.guard = Guard(token, basic_auth)
        except ValueError as exc:
            raise ServerError(f"--enable-basic-auth (or {BASIC_AUTH_VARIABLE}): {exc}") from None
        if not is_loopback(host) and not self.guard.active:
            raise ServerError(f"serving on {host} (not this machine only) needs a token: pass --token SECRET or set "
                              f"{TOKEN_VARIABLE}; clients then send 'Authorization: Bearer SECRET' "
                              f"(or protect it with --enable-basic-auth USER:PASSWORD)")
        self.host, self.token, self.log_dir = host, token, log_dir
        self.name = os.environ.get(NAME_VARIABLE) or None
        self.sock, self.port, self.moved_from = _bind(host, port)
        os.environ[URL_VARIABLE] = self.url  # AppState clients in works and frontends find the app here
        if token:
            os.environ[TOKEN_VARIABLE] = token
        if basic_auth:  # the app's own clients (AppState in works and frontends) send it
            os.environ[BASIC_AUTH_VARIABLE] = basic_auth
        self.loop = self.feed = self.hub = self.loop_async = None
        self.stopping = False  # set when the app has ended: requests for the loop are answered 503
        self.end_waiting = None  # from make_app: answers the requests waiting for the loop
        self._thread: threading.Thread | None = None
        self._uvicorn = None
        self._process_frontends: list = []
        self._layout_failure: str | None = None

    def attach(self, loop) -> None:
        """Serve `loop`'s app (in the loop's thread, before it runs: this calls the flows' configure_*)."""
        from .handlers import LoopThreadAsync

        self.loop = loop
        self.feed = loop.observe()
        self.loop_async = LoopThreadAsync()  # async flow methods behind routes run to their end on it
        self._collect_flows_config()

    @property
    def url(self) -> str:
        from ..utilities.network import url_of

        return url_of(self.host, self.port)

    def authorised(self, headers, query) -> bool:
        """Whether a request carries the token (a Bearer header, X-Lightwork-Token, or ?token=) or the
        basic-auth credentials."""
        return self.guard.allows(headers, query)

    def read_layouts(self) -> None:
        """In the loop's thread: the flows' layouts read again (the tabs may follow the state, as in Lightning
        Apps); the Frontends stay those started. A layout that fails now keeps the tabs read last."""
        from .layout import collect_layouts

        try:
            tabs, _ = collect_layouts(self.loop.root)
        except Exception as exc:
            said = f"lightwork: a configure_layout() failed when read again ({type(exc).__name__}: {exc}); the tabs read before stay"
            if said != self._layout_failure:  # once, not at every read
                self._layout_failure = said
                print(said, file=sys.stderr, flush=True)
            return
        self.layouts, self._layout_failure = (tabs, self.layouts[1]), None

    def _collect_flows_config(self) -> None:
        from ..commands import collect_commands
        from .layout import collect_layouts

        root = self.loop.root
        self.layouts = collect_layouts(root)
        self.api_routes = []
        for route in (route for flow in _flows(root) for route in _api_of(flow)):
            same = [r for r in self.api_routes if (r.method, r.route) == (route.method, route.route)]
            if same and same[0].component_method != route.component_method:
                raise ServerError(f"two flows serve {route.method} {route.route}: give one of them another route")
            if not same:  # a parent listing its child's routes again, as apps written for Lightning Apps do
                self.api_routes.append(route)
        self.commands = collect_commands(root)
        self.static_frontends: dict = {}
        self.frontend_urls: dict = {}

    def start(self) -> None:
        """Start the frontends and serve in a thread (the loop's thread stays the app's own)."""
        from ..frontend.web import StaticWebFrontend
        from ..utilities.network import find_free_network_port

        _, frontends = self.layouts
        for key, frontend in frontends.items():
            if isinstance(frontend, StaticWebFrontend):
                self.static_frontends[key] = frontend.folder()
                self.frontend_urls[key] = f"{self.url}/frontend/{key}/"
            else:
                # Loopback only: these servers do not check the app's token, so they never face the network.
                port = find_free_network_port("127.0.0.1")
                frontend.start_server("127.0.0.1", port)
                self._process_frontends.append(frontend)
                self.frontend_urls[key] = f"http://127.0.0.1:{port}"
        import uvicorn

        from .quiet import QuietServer
        from .routes import make_app

        config = uvicorn.Config(make_app(self), log_level="warning", lifespan="off", ws_max_size=16 << 20,
                                timeout_graceful_shutdown=1, date_header=False)
        self._uvicorn = QuietServer(config)
        self._thread = threading.Thread(target=self._uvicorn.run, kwargs={"sockets": [self.sock]},
                                        name="lightwork-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and end the frontends' processes."""
        for frontend in self._process_frontends:
            frontend.stop_server()
        self._process_frontends = []
        if self._uvicorn is not None:
            self.stopping = True
            self._uvicorn.call(self.end_waiting)  # before the exit: they get their 503 while it still serves
            self._uvicorn.exit()
            self._thread.join(5.0)
        self.sock.close()
        if self.loop_async is not None:
            self.loop_async.close()
        if self.log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)
        if os.environ.get(URL_VARIABLE) == self.url:
            del os.environ[URL_VARIABLE]


def _bind(host: str, port: int | None) -> tuple[socket.socket, int, int | None]:
    """A listening socket: on `port`, or on the first free port from 7501 when no port was asked for."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES)
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it a keep-alive client waits ~40 ms per answer (Nagle's
        # algorithm against the client's delayed acknowledgement).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((host, candidate))
            sock.listen(2048)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                continue
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ServerError(f"cannot serve on {host}: no network interface of this machine has that address") from None
            if exc.errno == errno.EACCES:
                raise ServerError(f"cannot serve on port {candidate}: permission denied (ports below 1024 need root)") from None
            raise ServerError(f"cannot serve on {host}:{candidate}: {exc.strerror}") from None
        moved_from = DEFAULT_PORT if port is None and candidate != DEFAULT_PORT else None
        return sock, candidate, moved_from
    if port is not None:
        raise ServerError(f"port {port} is in use (another app?): pass another --port, or leave it out to take a free one")
    raise ServerError(f"ports {DEFAULT_PORT}-{DEFAULT_PORT + PORT_TRIES - 1} are all in use: pass --port")


def _flows(root) -> list:
    return [c for c in root._lw_components() if c._lw_group == "flows"]


def _api_of(flow) -> list:
    from ..api import HttpMethod

    configure = getattr(flow, "configure_api", None)
    routes = configure() if configure is not None else None
    if routes is None:
        return []
    if not isinstance(routes, (list, tuple)) or not all(isinstance(r, HttpMethod) for r in routes):
        raise ServerError(f"{flow.name}.configure_api() must return a list of Post/Get/Put/Delete routes "
                          f"(from lightning.app.api), not {routes!r:.80}")
    return list(routes)
