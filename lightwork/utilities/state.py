"""AppState: a running app's state, seen and changed from another process (a frontend, a script, a test).

`AppState()` finds the app at `LIGHTWORK_APP_URL` (every process an app starts has it; otherwise
http://127.0.0.1:7501) and sends `LIGHTWORK_TOKEN` as `Authorization: Bearer ...` when it is set, else the
credentials in `LIGHTWORK_BASIC_AUTH` ("user:password", from `lightwork run --enable-basic-auth`).

    state = AppState()                      # the root flow (in a work's process: that work)
    state.counter                           # a public state attribute
    state.child.x, state.w.counter          # child flows and works, by attribute name
    state.my_list[0].counter                # items of a List or Dict of components
    state.child.x = 3                       # sent to the app (the flow sees it in its next pass)
    AppState(flow="root.child").x           # scoped to one flow (as Lightning Apps' `my_affiliation=("child",)`)

How it works: a background thread keeps a copy of the app's state from the websocket `/api/v1/ws` (the
state once, then every delta, in order). Setting an attribute checks the name and the value here, shows the
new value to this AppState's readers at once, and queues the change; a sender thread posts what was queued
within a few milliseconds as one delta (`POST /api/v1/delta`). `flush()` (or Lightning Apps' `send_delta()`)
sends at once and raises the app's refusal, if any; a refusal also surfaces on the next attribute set.
`close()` ends both threads (an AppState that is no longer referenced closes itself).

Inside the app's own flow code (its loop's thread, which answers the requests) nothing waits for the app:
changes go after the pass, `flush()` sends nothing itself, and closing finishes in a thread of its own.
"""
from __future__ import annotations

import abc
import inspect
import json
import logging
import os
import threading
import time
import weakref
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from ..core import context
from ..core.codec import TAG, from_json, to_json
from ..core.delta import apply_delta, format_path, iter_changes, same

DEFAULT_URL = "http://127.0.0.1:7501"
URL_VARIABLE = "LIGHTWORK_APP_URL"
TOKEN_VARIABLE = "LIGHTWORK_TOKEN"
BATCH_WINDOW = 0.005  # seconds the sender waits after a change for more to send along with it
HTTP_TIMEOUT = 40.0  # seconds for a request (the app's server gives its loop 30 s)
OVERLAY_TTL = 2.0  # seconds a value the app accepted is shown before the app's copy says it too
RECONNECT_MAX = 2.0  # seconds between attempts to reach the websocket, at most

logger = logging.getLogger(__name__)


class AppStateError(RuntimeError):
    """The app could not be reached, refused the token, or refused a change; `status` is the HTTP status
    (None when the app could not be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BaseStatePlugin(abc.ABC):
    """Hooks of an AppState (Lightning Apps' interface, plus `on_state_changed`)."""

    def __init__(self) -> None:
        self.authorized: bool | None = None  # whether the app accepted our token (None: not asked yet)

    @abc.abstractmethod
    def should_update_app(self, deep_diff: dict) -> Any:
        """Whether to send this delta (DeepDiff's format) to the app; falsy: it is dropped."""

    def get_context(self) -> dict:
        return {"type": "DEFAULT"}

    @abc.abstractmethod
    def render_non_authorized(self) -> None:
        """Called (in the reading thread) when the app refused our token, before AppStateError is raised."""

    def on_state_changed(self, delta: dict | None) -> None:
        """Called in the AppState's websocket thread after a change under its scope reached the local copy:
        `delta` in DeepDiff's format, or None when the whole state was received again. Keep it short."""


class AppStatePlugin(BaseStatePlugin):
    def should_update_app(self, deep_diff: dict) -> Any:
        return deep_diff

    def render_non_authorized(self) -> None:
        pass


# -- the connection shared by an AppState and the AppStates reached from it ----------------------------------
class _Pending:
    """A value set here that the app's copy may not show yet."""

    __slots__ = ("value", "version", "applied", "touched", "expires")

    def __init__(self, value: Any, version: int) -> None:
        self.value, self.version = value, version
        self.applied = False  # the app accepted it
        self.touched = False  # the app's copy changed there since it was set
        self.expires = 0.0


class _Connection:
    """The app's address, the local copy of its state (kept by a websocket thread) and the sender of changes."""

    def __init__(self, url: str, token: str | None, plugin: BaseStatePlugin, tree: dict | None, affiliation: tuple) -> None:
        import httpx

        self.url = url
        self.plugin = plugin
        self.affiliation = affiliation  # the names of the components the plugin watches
        from ..server.auth import client_headers

        try:
            self.headers = client_headers(token)
        except ValueError as exc:
            raise AppStateError(f"LIGHTWORK_BASIC_AUTH: {exc}") from None
        self.loopback = _is_loopback(urlsplit(url).hostname or "")
        self.client = httpx.Client(base_url=url, headers=self.headers, timeout=httpx.Timeout(HTTP_TIMEOUT, connect=10.0),
                                   trust_env=not self.loopback)
        self.live = tree is None  # False: a tree given by the caller, never refreshed from the app
        self.lock = threading.RLock()  # guards tree, seq, generation, ws and overlay
        self.tree = tree
        self.seq: int | None = None  # of the last websocket message applied (None: none since connecting)
        self.generation = 0  # bumped to drop the websocket's copy and take a fresh one
        self.ws = None
        self.overlay: dict[tuple, _Pending] = {}  # path -> a value set here, until the app's copy shows it
        self.version = 0
        self.closed = threading.Event()
        self.closing = False  # closing in a thread of its own (asked from the app's loop thread)
        self.watcher: threading.Thread | None = None
        # the sender
        self.cond = threading.Condition()  # guards queue, error and sender
        self.queue: dict[tuple, tuple] = {}  # path -> (JSON value, version), in the order they were set
        self.send_lock = threading.Lock()  # one request at a time, in order
        self.sender: threading.Thread | None = None
        self.error: AppStateError | None = None  # a refusal not yet raised to the caller
        self.requests = 0  # deltas posted (for tests and curiosity)

    # -- requests ------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs):
        import httpx

        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise AppStateError(f"cannot reach the app at {self.url} ({type(exc).__name__}: {exc}); is it running?") from None
        if response.status_code in (401, 403):
            self.plugin.authorized = False
            raise AppStateError(f"the app at {self.url} refused this client's token (HTTP {response.status_code}): "
                                f"set {TOKEN_VARIABLE} to the app's token (or LIGHTWORK_BASIC_AUTH to its "
                                f"USER:PASSWORD)", response.status_code)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            if isinstance(detail, dict):
                detail = detail.get("message") or json.dumps(detail)
            raise AppStateError(f"the app refused {method} {path} (HTTP {response.status_code}): {detail}", response.status_code)
        self.plugin.authorized = True
        return response

    def fail(self, error: AppStateError) -> None:
        """Raise `error` in the caller's thread (telling the plugin first when the token was refused)."""
        if error.status in (401, 403):
            self.plugin.render_non_authorized()
        raise error

    # -- the local copy ------------------------------------------------------------------------------------
    def ensure(self) -> None:
        """Make sure there is a local copy of the state tree (GET it when there is none yet), and that the
        websocket keeps it. Call without holding `lock` (the GET may take a while)."""
        if self.closed.is_set():
            raise AppStateError("this AppState was closed")
        if self.live and self.watcher is None:
            with self.lock:
                if self.watcher is None:
                    self.watcher = threading.Thread(target=self._watch, name="lightwork-appstate-ws", daemon=True)
                    self.watcher.start()
        if self.tree is None:
            self.fetch(fresh=False)

    def fetch(self, fresh: bool) -> dict:
        """GET the state; with `fresh`, the local copy becomes it (and the websocket starts over from a newer
        state), otherwise it is used only when nothing newer is known."""
        try:
            tree = self.request("GET", "/api/v1/state").json()
        except AppStateError as exc:
            self.fail(exc)
        with self.lock:
            if fresh or self.tree is None or not self.live:
                self.tree = tree
                self._drop_applied()
                if fresh and self.live:
                    self._restart_websocket()
            return self.tree

    def _restart_websocket(self) -> None:
        """Drop what the websocket gave (it may be older than the tree now held) and reconnect. Hold `lock`."""
        self.generation += 1
        self.seq = None
        if self.ws is not None:
            threading.Thread(target=self.ws.close, daemon=True).start()  # never block a reader on the close

    def value_at(self, path: tuple) -> Any:
        """The value at `path` as readers here see it: what was set here, else the app's copy. Hold `lock`."""
        pending = self.overlay.get(path)
        if pending is not None:
            if pending.applied and time.monotonic() > pending.expires:
                del self.overlay[path]
            else:
                return pending.value
        return _lookup(self.tree, path)

    def node_view(self, scope: tuple) -> dict:
        """A copy of the tree node at `scope`, with values set here shown. Hold `lock`."""
        node = to_json(_lookup(self.tree, scope))
        for path in list(self.overlay):
            if path[: len(scope)] == scope and len(path) == len(scope) + 2:
                node.setdefault("vars", {})[path[-1]] = to_json(self.value_at(path))
        return node

    # -- the websocket -------------------------------------------------------------------------------------
    def ws_url(self) -> str:
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/api/v1/ws", "", ""))

    def _watch(self) -> None:
        from websockets.exceptions import InvalidStatus, WebSocketException
        from websockets.sync.client import connect

        options = {"additional_headers": self.headers, "open_timeout": 10, "close_timeout": 1, "max_size": None}
        if self.loopback and "proxy" in inspect.signature(connect).parameters:
            options["proxy"] = None  # websockets >= 15 would use the environment's proxy otherwise
        delay = 0.05
        while not self.closed.is_set():
            with self.lock:
                generation = self.generation
            try:
                with connect(self.ws_url(), **options) as ws:
                    with self.lock:
                        self.ws = ws
                    try:
                        if not self.closed.is_set():  # close() may have missed this connection: end it here
                            for text in ws:
                                if not self._receive(json.loads(text), generation):
                                    break
                                delay = 0.05  # it answered: reconnect at once when it goes
                    finally:
                        with self.lock:
                            if self.ws is ws:
                                self.ws = None
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):
                    self.plugin.authorized = False
                    delay = RECONNECT_MAX
            except (OSError, TimeoutError, WebSocketException, ValueError):
                pass
            with self.lock:
                if generation != self.generation:
                    continue  # a fresh state was asked for: reconnect now
            self.closed.wait(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _receive(self, message: dict, generation: int) -> bool:
        """Apply one websocket message to the local copy; False: the copy is out of step (reconnect)."""
        kind = message.get("type")
        if kind not in ("state", "delta"):
            return True
        with self.lock:
            if generation != self.generation:
                return False
            if kind == "state":
                changed = self.tree is None or not same(self.tree, message["state"])
                self.tree, self.seq = message["state"], message["seq"]
                self._drop_applied()
                delta = None
            else:
                if self.seq is None or message.get("seq") != self.seq + 1:
                    return False
                delta = message["delta"]
                try:
                    apply_delta(self.tree, delta)
                    paths = [path for _, path, _ in iter_changes(delta)]
                except (KeyError, IndexError, TypeError, ValueError):
                    self.seq = None
                    return False
                self.seq = message["seq"]
                self._touch(paths)
                changed = True
        if changed:
            self._notify(delta)
        return True

    def _touch(self, paths: list) -> None:
        """The app's copy changed at `paths`: values it had accepted from here are now its own. Hold `lock`."""
        for key in list(self.overlay):
            if any(key[: len(p)] == p or p[: len(key)] == key for p in paths):
                if self.overlay[key].applied:
                    del self.overlay[key]
                else:
                    self.overlay[key].touched = True

    def _drop_applied(self) -> None:
        for key in [k for k, p in self.overlay.items() if p.applied]:
            del self.overlay[key]

    def _notify(self, delta: dict | None) -> None:
        if type(self.plugin).on_state_changed is BaseStatePlugin.on_state_changed:
            return
        if delta is not None:
            with self.lock:
                scope = _resolve(self.tree, self.affiliation, strict=False)
            if scope is not None:
                paths = [path for _, path, _ in iter_changes(delta)]
                if not any(p[: len(scope)] == scope or scope[: len(p)] == p for p in paths):
                    return
        try:
            self.plugin.on_state_changed(delta)
        except Exception:  # noqa: BLE001 - a plugin's failure must not stop the copy
            logger.exception("AppState: the plugin's on_state_changed failed")

    # -- changes -------------------------------------------------------------------------------------------
    def set(self, path: tuple, value: Any) -> None:
        """Show `value` at `path` here at once and queue it for the app. Hold `lock`."""
        self.version += 1
        self.overlay[path] = _Pending(value, self.version)
        with self.cond:
            self.queue.pop(path, None)
            self.queue[path] = (value, self.version)
            if self.sender is None:
                self.sender = threading.Thread(target=self._send_loop, name="lightwork-appstate-send", daemon=True)
                self.sender.start()
            self.cond.notify_all()

    def _send_loop(self) -> None:
        while True:
            with self.cond:
                while not self.queue and not self.closed.is_set():
                    self.cond.wait()
                if not self.queue:
                    return
            self.closed.wait(BATCH_WINDOW)  # what is set meanwhile goes along
            self.send(background=True)

    def send(self, background: bool = False) -> None:
        """Post what is queued as one delta (in the caller's thread; after any request under way). A refusal
        is kept for the caller's next flush or set (and logged when this is the sender thread). In the app's
        loop thread the sender thread posts it instead: the app answers only once the loop thread is free."""
        if not background and context.in_loop_thread():
            return
        with self.send_lock:
            with self.cond:
                batch, self.queue = self.queue, {}
            if not batch:
                return
            delta = {"values_changed": {format_path(path): {"new_value": value} for path, (value, _) in batch.items()}}
            error = None
            try:
                sent = bool(self.plugin.should_update_app(delta))
                if sent:
                    self.request("POST", "/api/v1/delta", json={"delta": delta})
                    self.requests += 1
            except AppStateError as exc:
                sent, error = False, exc
            with self.lock:
                now = time.monotonic()
                for path, (value, version) in batch.items():
                    pending = self.overlay.get(path)
                    if pending is None or pending.version != version:
                        continue  # set again since: that value is still to go
                    if not sent or pending.touched or same(_lookup(self.tree, path, None), value):
                        del self.overlay[path]  # refused or dropped: the app's copy is right
                    else:
                        pending.applied, pending.expires = True, now + OVERLAY_TTL
            if error is not None:
                names = ", ".join(format_path(p) for p in batch)
                error = AppStateError(f"{error} (the change to {names} was not made)", error.status)
                if background:
                    logger.warning("AppState: %s", error)
                with self.cond:
                    if self.error is None:
                        self.error = error

    def take_error(self) -> AppStateError | None:
        with self.cond:
            error, self.error = self.error, None
        return error

    def flush(self) -> None:
        self.send()
        error = self.take_error()
        if error is not None:
            self.fail(error)

    def close(self) -> None:
        if self.closed.is_set() or self.closing:
            return
        if context.in_loop_thread():  # sending the last changes waits for the app, which waits for this thread
            self.closing = True
            threading.Thread(target=self._close, name="lightwork-appstate-close", daemon=True).start()
            return
        self._close()

    def _close(self) -> None:
        if self.closed.is_set():
            return
        try:
            self.send()  # what was set before closing still goes
        except Exception:  # noqa: BLE001 - closing never raises
            logger.exception("AppState: sending the last changes failed")
        self.closed.set()
        with self.cond:
            self.cond.notify_all()
        with self.lock:
            ws = self.ws
        if ws is not None:
            ws.close()
        for thread in (self.watcher, self.sender):
            if thread is not None and thread is not threading.current_thread():
                thread.join(2.0)
        self.client.close()


# -- the AppState ----------------------------------------------------------------------------------------
_INTERNAL = frozenset({"_lw_conn", "_lw_scope", "_lw_root", "_my_affiliation", "_lw_finalizer"})
_GROUPS = ("flows", "works", "structures")


class AppState:
    """The state of a running app (or of one of its components), read and changed from another process.

    Arguments (Lightning Apps'): `host` ("http://127.0.0.1", "127.0.0.1" or a whole URL) and `port` override
    where the app is; `state` is a state tree to show instead of the app's (changes still go to the app);
    `last_state` is accepted and unused; `my_affiliation` (names of flows below the root, e.g. ("child",),
    or "root.child") or `flow` ("root.child" or a flow) scope it to that component (by default the root
    flow, and in a work's process that work, as Lightning Apps scoped it; `my_affiliation=()` is the root
    there); `plugin` gets the hooks (BaseStatePlugin). `token` overrides LIGHTWORK_TOKEN.

    Names that clash with this class's methods (`items`, `flush`, `close`, `send_delta`) are read as
    `state["items"]`. Values read are copies: change a list in place, then assign it back.
    """

    _MY_AFFILIATION: tuple = ()

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        last_state: dict | None = None,
        state: dict | None = None,
        my_affiliation: tuple | str | None = None,
        plugin: BaseStatePlugin | None = None,
        *,
        flow: Any = None,
        token: str | None = None,
    ) -> None:
        if flow is not None and my_affiliation is not None:
            raise TypeError("AppState: give my_affiliation or flow, not both")
        default = self._MY_AFFILIATION or _names(context.work_name)  # in a work's process, as Lightning Apps did: that work
        scope_names = _names(flow if flow is not None else my_affiliation if my_affiliation is not None else default)
        plugin = plugin if plugin is not None else AppStatePlugin()
        token = token if token is not None else os.environ.get(TOKEN_VARIABLE) or None
        conn = _Connection(_app_url(host, port), token, plugin, state, scope_names)
        object.__setattr__(self, "_lw_conn", conn)
        object.__setattr__(self, "_lw_scope", None)  # resolved from _my_affiliation on each use
        object.__setattr__(self, "_lw_root", None)
        object.__setattr__(self, "_my_affiliation", scope_names)
        object.__setattr__(self, "_lw_finalizer", weakref.finalize(self, conn.close))

    @classmethod
    def _lw_view(cls, root: "AppState", scope: tuple) -> "AppState":
        view = object.__new__(cls)
        object.__setattr__(view, "_lw_conn", root._lw_conn)
        object.__setattr__(view, "_lw_scope", scope)
        object.__setattr__(view, "_lw_root", root if root._lw_root is None else root._lw_root)
        object.__setattr__(view, "_my_affiliation", tuple(scope[1::2]))  # ("child", "w") for root.child.w
        object.__setattr__(view, "_lw_finalizer", None)
        return view

    # -- where it points -----------------------------------------------------------------------------------
    def _lw_ready(self) -> _Connection:
        """The connection, with a local copy of the state (take its lock next, then call _lw_path)."""
        conn = self._lw_conn
        conn.ensure()
        return conn

    def _lw_path(self) -> tuple:
        """The path of this AppState's node in the state tree. Hold the connection's lock."""
        tree = self._lw_conn.tree
        if self._lw_scope is not None:
            if _lookup(tree, self._lw_scope, None) is None:
                raise AttributeError(f"{_component_name(self._lw_scope)} is no longer part of the app")
            return self._lw_scope
        return _resolve(tree, self._my_affiliation, strict=True)

    # -- reading -------------------------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in _INTERNAL:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (private state attributes are not shown)")
        return self._lw_get(name)

    def __getitem__(self, key: str | int) -> Any:
        return self._lw_get(str(key))

    def _lw_get(self, name: str) -> Any:
        conn = self._lw_ready()
        with conn.lock:
            path = self._lw_path()
            node = _lookup(conn.tree, path)
            if not name.startswith("_") and name in node.get("vars", {}):
                value = to_json(conn.value_at(path + ("vars", name)))
                return _decode(value)
            for group in _GROUPS:
                if name in node.get(group, {}):
                    return AppState._lw_view(self, path + (group, name))
            raise AttributeError(_unknown(path, node, name))

    @property
    def _state(self) -> dict:
        """A copy of this component's part of the state tree (as GET /api/v1/state has it)."""
        conn = self._lw_ready()
        with conn.lock:
            return conn.node_view(self._lw_path())

    @property
    def _last_state(self) -> dict:
        return self._state

    @property
    def _url(self) -> str:
        return self._lw_conn.url

    @property
    def _host(self) -> str:
        parts = urlsplit(self._lw_conn.url)
        return f"{parts.scheme}://{parts.hostname}"

    @property
    def _port(self) -> int | None:
        return urlsplit(self._lw_conn.url).port

    @property
    def _plugin(self) -> BaseStatePlugin:
        return self._lw_conn.plugin

    @property
    def _authorized(self) -> bool | None:
        return self._lw_conn.plugin.authorized

    @property
    def _closed(self) -> bool:
        return self._lw_conn.closed.is_set()

    def _request_state(self) -> dict:
        """GET the app's state now: the local copy becomes it. Returns this AppState's part of it."""
        conn = self._lw_conn
        if conn.closed.is_set():
            raise AppStateError("this AppState was closed")
        conn.fetch(fresh=True)
        return self._state

    def items(self) -> list:
        """[(name, AppState)] of the child flows, works and structures (or a structure's items)."""
        conn = self._lw_ready()
        with conn.lock:
            path = self._lw_path()
            node = _lookup(conn.tree, path)
            return [(name, AppState._lw_view(self, path + (group, name))) for group in _GROUPS for name in node.get(group, {})]

    def __contains__(self, name: str) -> bool:
        """Whether `name` is a public state attribute or a child (an item, for a List or Dict) here."""
        conn = self._lw_ready()
        with conn.lock:
            node = _lookup(conn.tree, self._lw_path())
            name = str(name)
            return (not name.startswith("_") and name in node.get("vars", {})) or any(name in node.get(g, {}) for g in _GROUPS)

    def __iter__(self) -> Iterator["AppState"]:
        return iter([child for _, child in self.items()])

    def __len__(self) -> int:
        return len(self.items())

    def __bool__(self) -> bool:
        """As Lightning Apps answered: False until the state was read (this reads nothing), then whether this
        component's part of it holds anything."""
        conn = self._lw_conn
        with conn.lock:
            if conn.tree is None:
                return False
            try:
                return bool(_lookup(conn.tree, self._lw_path(), None))
            except (AttributeError, AppStateError):
                return False

    def __dir__(self) -> list:
        names = list(super().__dir__())
        if self._lw_conn.tree is None:
            return names
        try:
            with self._lw_conn.lock:
                node = _lookup(self._lw_conn.tree, self._lw_path())
        except (AttributeError, AppStateError):
            return names
        return names + [n for n in node.get("vars", {}) if not n.startswith("_")] + [n for g in _GROUPS for n in node.get(g, {})]

    def __repr__(self) -> str:
        conn = self._lw_conn
        with conn.lock:
            if conn.tree is None:
                return f"AppState({conn.url}, not read yet)"
            try:
                path = self._lw_path()
            except (AttributeError, AppStateError) as exc:
                return f"AppState({exc})"
            node = conn.node_view(path)
        public = {k: v for k, v in node.get("vars", {}).items() if not k.startswith("_")}
        children = [n for g in _GROUPS for n in node.get(g, {})]
        return f"AppState({_component_name(path)}: {public!r:.500}{', children ' + repr(children) if children else ''})"

    # -- changing ------------------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _INTERNAL:
            object.__setattr__(self, name, value)
            return
        conn = self._lw_conn
        error = conn.take_error()
        if error is not None:
            conn.fail(error)  # an earlier change was refused: say so before making more
        conn.ensure()
        with conn.lock:
            path = self._lw_path()
            node = _lookup(conn.tree, path)
            variables = node.get("vars")
            if variables is None:
                raise AttributeError(f"{_component_name(path)} is a List or Dict of components: set their attributes")
            if name not in variables or name.startswith("_"):
                if any(name in node.get(group, {}) for group in _GROUPS):
                    raise AttributeError(f"{_component_name(path)}.{name} is a component: set its attributes instead")
                if name in variables:
                    raise AttributeError(f"{_component_name(path)}.{name} is private: only public state attributes can be set")
                raise AttributeError(_unknown(path, node, name))
            data = to_json(value)
            try:
                json.dumps(data, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"{_component_name(path)}.{name} = {type(value).__name__} value: state values must be "
                                f"JSON values ({exc})") from None
            target = path + ("vars", name)
            if same(conn.value_at(target), data):
                return  # nothing changes: nothing to send
            conn.set(target, data)

    def __setitem__(self, key: str, value: Any) -> None:
        self.__setattr__(str(key), value)

    def send_delta(self) -> None:
        """Send the changes made so far now (Lightning Apps' name for `flush`)."""
        self._lw_conn.flush()

    def flush(self) -> None:
        """Send the changes made so far now; raise AppStateError if the app refused any change made here."""
        self._lw_conn.flush()

    def close(self) -> None:
        """Send what is queued, then end the background threads (of every AppState reached from this one)."""
        self._lw_conn.close()

    def __enter__(self) -> "AppState":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- helpers -----------------------------------------------------------------------------------------------
def _is_loopback(host: str) -> bool:
    from ..server.serve import is_loopback

    return is_loopback(host.strip("[]"))


def _app_url(host: str | None, port: int | None) -> str:
    """The app's base URL: LIGHTWORK_APP_URL (or the default), with `host` and `port` put in when given."""
    base = urlsplit((os.environ.get(URL_VARIABLE) or DEFAULT_URL).rstrip("/"))
    scheme, hostname, base_port = base.scheme or "http", base.hostname or "127.0.0.1", base.port
    if host:
        given = urlsplit(host if "://" in host else f"{scheme}://{host}")
        scheme, hostname = given.scheme, given.hostname or hostname
        base_port = given.port or base_port
    if port is not None:
        base_port = int(port)
    if base_port is None:
        base_port = 443 if scheme == "https" else urlsplit(DEFAULT_URL).port
    netloc = f"[{hostname}]" if ":" in hostname else hostname
    return f"{scheme}://{netloc}:{base_port}"


def _names(scope: Any) -> tuple:
    """("child", "inner") from ("child", "inner"), "root.child.inner", or a flow named so."""
    if scope is None:
        return ()
    if not isinstance(scope, (str, tuple, list)):
        scope = getattr(scope, "name", scope)
    if isinstance(scope, str):
        scope = tuple(part for part in scope.split(".") if part)
        if scope[:1] == ("root",):
            scope = scope[1:]
    if not all(isinstance(part, str) for part in scope):
        raise TypeError(f"AppState: a flow is named by strings, like 'root.child', not {scope!r}")
    return tuple(scope)


def _resolve(tree: dict | None, names: tuple, strict: bool) -> tuple | None:
    """The tree path of the component `names` leads to (each name a child flow, work, structure or item)."""
    path: tuple = ()
    node = tree
    for name in names:
        for group in _GROUPS:
            if isinstance(node, dict) and name in node.get(group, {}):
                path, node = path + (group, name), node[group][name]
                break
        else:
            if not strict:
                return None
            raise AttributeError(f"the app has no component root.{'.'.join(names)} (no {name!r} in {_component_name(path)})")
    return path


_MISSING = object()


def _lookup(tree: Any, path: tuple, default: Any = _MISSING) -> Any:
    node = tree
    try:
        for key in path:
            node = node[key]
    except (KeyError, IndexError, TypeError):
        if default is _MISSING:
            raise AttributeError(f"{_component_name(path)} is not in the app's state") from None
        return default
    return node


def _component_name(path: tuple) -> str:
    """`root.child.w` for ('flows', 'child', 'works', 'w')."""
    names = [key for index, key in enumerate(path) if index % 2 == 1]
    return ".".join(["root", *map(str, names)])


def _unknown(path: tuple, node: dict, name: str) -> str:
    public = [n for n in node.get("vars", {}) if not n.startswith("_")]
    children = [n for g in _GROUPS for n in node.get(g, {})]
    return (f"{_component_name(path)} has no state attribute or component {name!r}: it has the attributes {public}"
            f" and the components {children}")


def _decode(value: Any) -> Any:
    """Drive and Path references as objects (as Lightning Apps gave a Drive); anything else as it is."""
    if isinstance(value, dict):
        if value.get(TAG) in ("drive", "path"):
            try:
                return from_json(value)
            except Exception:  # noqa: BLE001 - a reference this process cannot rebuild stays data
                return value
        return {k: _decode(v) for k, v in value.items()} if any(isinstance(v, (dict, list)) for v in value.values()) else value
    if isinstance(value, list):
        return [_decode(v) for v in value] if any(isinstance(v, (dict, list)) for v in value) else value
    return value


__all__ = ["AppState", "AppStateError", "AppStatePlugin", "BaseStatePlugin"]


def headers_for(context: dict) -> dict:
    """Lightning Apps' request headers for a plugin context (lightwork accepts them and needs none)."""
    return {
        "X-Lightning-Session-UUID": context.get("token", ""),
        "X-Lightning-Session-ID": context.get("session_id", ""),
        "X-Lightning-Type": context.get("type", ""),
    }
