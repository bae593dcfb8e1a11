"""Works as Ray actors: Ray places and supervises them; each opens a socket back to the app.

The actor runs the same work-side code as a local process (`worker.WorkProcess`) over a TCP connection
it makes to the app, authenticated by a per-app secret: calls, state and output never go through Ray's
own RPC or log streaming, which are slower and buffer. Ray tells the app when an actor dies.
"""
from __future__ import annotations

import collections
import hmac
import itertools
import logging
import os
import secrets
import selectors
import socket
import sys
import tempfile
import threading
import time

from ..storage import path as paths
from ..storage.path import OWN_FOLDERS_VARIABLE
from ..storage.payload import PAYLOAD_VARIABLE
from . import ray_objects
from .output import LOG_DIR_VARIABLE, PrefixedLines, open_work_log
from .protocol import Connection, Exited, Hello, Output, Placed, Status
from .streams import Handle, StreamRuntime

PLACEMENT_TIMEOUT_VARIABLE = "LIGHTWORK_RAY_PLACEMENT_TIMEOUT"
PLACEMENT_TIMEOUT = 60.0  # seconds a work may wait for resources that no node of the cluster offers
INSTALL_HINT = 'pip install "lightwork[ray]"'
WORK_FOLDER_PREFIX = "lightwork-ray-"  # + the app's pid: the works' working folders
WATCH_INTERVAL = 0.2  # seconds between Ray's answers on which actors ended

# A work with this attribute (a group name) goes to a node that holds the fewest other works of its group:
# MultiNode puts each rank on a node of its own while the cluster has enough nodes that can hold them.
SPREAD_ATTRIBUTE = "_lw_spread"

_LISTENER = object()  # selector keys besides the works' handles
_GREETING = object()

# CloudCompute names to Ray resources. The default machine ("default" or "cpu", which Lightning Apps read back as
# "cpu-small") reserves nothing, like a local process; GPU names take one GPU.
CPU_NAMES = {"default": 0, "cpu": 0, "cpu-small": 2, "cpu-medium": 8, "cpu-large": 16}
GPU_NAMES = ("gpu", "gpu-fast", "gpu-fast-multi", "gpu-rtx", "gpu-rtx-multi", "gpu-small", "gpu-medium", "gpu-large")


class RayUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be joined or used as asked (the message says how to fix it)."""


def import_ray():
    try:
        import ray
    except ImportError:
        raise RayUnavailable(f"the Ray runtime needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def ray_options(compute) -> dict:
    """The Ray actor options that `compute` (a CloudCompute, or None) asks for."""
    if compute is None:
        return {"num_cpus": 0}
    name = "default" if compute.is_default else compute.name
    if name in CPU_NAMES:
        cpus, gpus = CPU_NAMES[name], 0
    elif name in GPU_NAMES:
        cpus, gpus = 1, 1
    else:
        known = ", ".join([*CPU_NAMES, *GPU_NAMES])
        raise ValueError(f"CloudCompute name {compute.name!r} is not known to the Ray runtime; use one of {known}, or set cpus/gpus")
    options = {"num_cpus": cpus if compute.cpus is None else compute.cpus}
    gpus = gpus if compute.gpus is None else compute.gpus
    if gpus:
        options["num_gpus"] = gpus
    if compute.memory:
        options["memory"] = int(compute.memory)
    if compute.resources:
        options["resources"] = dict(compute.resources)
    return options


def asked(options: dict) -> dict:
    """`ray_options` as Ray names the resources in a node's inventory."""
    wanted = {"CPU": options.get("num_cpus", 0), "GPU": options.get("num_gpus", 0), "memory": options.get("memory", 0)}
    wanted.update(options.get("resources", {}))
    return {key: value for key, value in wanted.items() if value}


class RayRuntime(StreamRuntime):
    """Works as Ray actors. Joins the cluster at `address` (or RAY_ADDRESS), else starts a local Ray instance
    that `shutdown` stops; a cluster it joined is left running."""

    def __init__(self, root, cleanup: tuple = (), address: str | None = None) -> None:
        address = address or os.environ.get("RAY_ADDRESS") or None
        if address is None:
            from .ray_head import prefer_token_auth

            prefer_token_auth()
        ray = import_ray()
        super().__init__()
        self._ray = ray
        # The works' folders go below one folder of the app's on this machine, removed at the end even if a
        # work was killed; a work on another machine makes its folder in that machine's temporary folder.
        self._folders = tempfile.mkdtemp(prefix=f"{WORK_FOLDER_PREFIX}{os.getpid()}-")
        from .ray_head import Caretaker

        joined_already = ray.is_initialized()
        self._caretaker = Caretaker([*cleanup, self._folders], start_ray=not joined_already and address is None)
        self._joined = False
        if not joined_already:
            address = address or self._caretaker.address
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                self._caretaker.stop()
                raise RayUnavailable(f"cannot join the Ray cluster at {address}: {exc}") from None
            self._joined = True
        try:
            _check_storage(sum(1 for node in ray.nodes() if node.get("Alive")))
        except RayUnavailable:
            if self._joined:
                ray.shutdown()
            self._caretaker.stop()
            raise
        host = "127.0.0.1" if self._caretaker.address else ray.util.get_node_ip_address()
        self._listener = socket.create_server((host, 0), backlog=1024)
        self._listener.setblocking(False)
        self._selector.register(self._listener, selectors.EVENT_READ, _LISTENER)
        self._address = self._listener.getsockname()[:2]
        self._secret = secrets.token_hex(16)
        self._launches = itertools.count(1)
        self._by_launch: dict[int, Handle] = {}
        self._actors: dict[Handle, object] = {}
        self._lock = threading.Lock()  # guards _refs, _placing and _deaths, shared with the watcher thread
        self._refs: dict = {}  # the running serve() call of each actor -> its handle
        self._placing: dict[Handle, tuple] = {}  # not connected yet -> (deadline, resources asked)
        self._deaths: list = []  # (handle, reason) found by the watcher
        self._greeting: dict[socket.socket, Connection] = {}  # accepted sockets whose Hello has not arrived
        self._outputs: dict = {}  # (work name, fd) -> PrefixedLines showing its output here
        self._labels: dict = {}  # work name -> its display_name, if it has one
        self._nodes: dict = {}  # work name -> the address of the node its actor runs on ("" until it connected)
        self._spread: dict = {}  # spread group -> {work name: the node id chosen for it}
        ray_objects.start_keeper(ray)  # payloads go to Ray's object store, not a folder of this machine
        local = (LOG_DIR_VARIABLE, PAYLOAD_VARIABLE)
        self._env = {k: v for k, v in os.environ.items() if k.startswith("LIGHTWORK_") and k not in local}
        self._env[OWN_FOLDERS_VARIABLE] = "1"  # each actor has its own folder: Paths travel through the storage
        paths.flow_fetches(True)  # ... and the flow reads them from there too
        main = sys.modules.get("__main__")
        self._app_folder = os.path.dirname(os.path.abspath(main.__file__)) if getattr(main, "__file__", None) else os.getcwd()
        self._timeout = float(os.environ.get(PLACEMENT_TIMEOUT_VARIABLE) or PLACEMENT_TIMEOUT)
        self._closing = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="lightwork-ray-watcher", daemon=True)
        self._watcher.start()

    # -- launching -----------------------------------------------------------------------------------------
    def _launch(self, handle: Handle, work) -> None:
        from . import code_pickle
        from .worker import portable_copy

        options = ray_options(getattr(work, "cloud_compute", None))
        group = getattr(work, SPREAD_ATTRIBUTE, None)
        if group is not None:
            node = self._spread_node(group, work.name, asked(options))
            if node is not None:
                from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

                # soft: should the node go away before the actor is placed, Ray places it elsewhere
                options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node, soft=True)
        self._labels[work.name] = work.display_name
        self._nodes[work.name] = ""
        launch = next(self._launches)
        self._by_launch[launch] = handle
        # The app's settings reach the actor's process at its start, as they reach a local work's process.
        actor = _actor_class(self._ray).options(max_restarts=0, runtime_env={"env_vars": self._env}, **options).remote()
        blob = code_pickle.dumps(portable_copy(work))  # with its source lines, for its tracebacks
        ref = actor.serve.remote(self._address, self._secret, work.name, list(work._lw_path), launch, blob, self._app_folder, self._folders)
        self._actors[handle] = actor
        with self._lock:
            self._refs[ref] = handle
            self._placing[handle] = (time.monotonic() + self._timeout, asked(options))

    def _spread_node(self, group: str, name: str, wanted: dict) -> str | None:
        """The node for work `name` of spread group `group`: one that can hold what it asks for and was chosen
        for the fewest other works of the group (the first such node of the cluster); None if no node can."""
        chosen = self._spread.setdefault(group, {})
        chosen.pop(name, None)  # a work started again chooses afresh
        fitting = [node["NodeID"] for node in self._ray.nodes()
                   if node.get("Alive") and all(node.get("Resources", {}).get(k, 0) >= v for k, v in wanted.items())]
        if not fitting:
            return None  # the placement check reports what the work asked for
        taken = collections.Counter(chosen.values())
        chosen[name] = min(fitting, key=lambda node: taken[node])
        return chosen[name]

    def node_address(self, name: str) -> str | None:
        return self._nodes.get(name, "")  # a work not started yet is not placed either

    def _kill(self, handle: Handle) -> None:
        actor = self._actors.get(handle)
        if actor is not None:
            self._ray.kill(actor, no_restart=True)

    def _on_event(self, key, mask) -> None:
        if key.data is _LISTENER:
            self._accept()
        elif key.data is _GREETING:
            self._greet(key.fileobj)

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            self._greeting[sock] = Connection(sock)
            self._selector.register(sock, selectors.EVENT_READ, _GREETING)

    def _greet(self, sock: socket.socket) -> None:
        """Read the Hello of a newly connected work; a socket that is not one of ours is closed."""
        conn = self._greeting[sock]
        try:
            data = sock.recv(4096)
            messages = conn.feed(data) if data else None
        except (OSError, ValueError, KeyError, TypeError):
            messages = None
        if messages == []:
            return  # the rest of the Hello is on its way
        self._selector.unregister(sock)
        del self._greeting[sock]
        hello = messages[0] if messages else None
        handle = self._by_launch.get(hello.launch) if isinstance(hello, Hello) else None
        if handle is None or not hmac.compare_digest(hello.secret, self._secret) or handle.conn.sock is not None:
            sock.close()
            return
        with self._lock:
            self._placing.pop(handle, None)
        self._nodes[handle.name] = hello.node
        self.attach(handle, sock)
        handle.messages.append(Placed(hello.node))  # the flow may wait for the work's address (MultiNode)
        handle.messages.extend(self._filter(handle, messages[1:]))
        self._ready[handle] = None

    # -- output --------------------------------------------------------------------------------------------
    def _filter(self, handle: Handle, messages: list) -> list:
        shown = False
        for message in messages:
            if isinstance(message, Output):
                self._show(handle.name, message)
                shown = True
            elif isinstance(message, Status) and message.stage != "running":
                paths.call_ended(handle.name)  # the work stored its paths before it said so
        return [m for m in messages if not isinstance(m, Output)] if shown else messages

    def _show(self, name: str, output: Output) -> None:
        """Print a work's lines as a local work's appear: prefixed, whole, in its log for the web UI too."""
        stream = self._outputs.get((name, output.stream))
        if stream is None:
            fd = 2 if output.stream == 2 else 1
            label = self._labels.get(name) or name  # its display_name, if it has one
            stream = self._outputs[(name, output.stream)] = PrefixedLines(fd, f"{label} | ", open_work_log(name))
        stream.write(output.text)
        if not output.text.endswith("\n"):
            stream.flush()

    # -- ends ----------------------------------------------------------------------------------------------
    def receive(self, timeout: float | None) -> list:
        with self._lock:
            deaths, self._deaths = self._deaths, []
        for handle, reason in deaths:
            self._actors.pop(handle, None)
            self._ended(handle, Exited(None, reason))
        return super().receive(0 if deaths else timeout)

    def _watch(self) -> None:
        """Ask Ray which actors ended (and which wait for resources no node has); report them to receive()."""
        ray = self._ray
        while not self._closing.is_set():
            with self._lock:
                refs = list(self._refs)
            if not refs:
                self._closing.wait(WATCH_INTERVAL)
            else:
                done, _ = ray.wait(refs, num_returns=len(refs), timeout=WATCH_INTERVAL, fetch_local=False)
                for ref in done:
                    with self._lock:
                        handle = self._refs.pop(ref)
                    self._report(handle, _end_reason(ray, ref))
            self._check_placement()

    def _check_placement(self) -> None:
        now = time.monotonic()
        with self._lock:
            overdue = [(h, wanted) for h, (deadline, wanted) in self._placing.items() if deadline <= now]
        if not overdue:
            return
        nodes = [n.get("Resources", {}) for n in self._ray.nodes() if n.get("Alive")]
        for handle, wanted in overdue:
            if any(all(node.get(k, 0) >= v for k, v in wanted.items()) for node in nodes):
                with self._lock:  # some node can hold it: it waits for resources to free, as Ray's own tasks do
                    self._placing[handle] = (now + self._timeout, wanted)
                continue
            offered = "; ".join(_describe(node) for node in nodes) or "no live node"
            self._report(handle, f"no node of the Ray cluster offers what the work asks for ({_describe(wanted)}); the cluster has: {offered}")
            self._kill(handle)

    def _report(self, handle: Handle, reason: str) -> None:
        with self._lock:
            self._placing.pop(handle, None)
            self._deaths.append((handle, reason))
        self.wake()

    def _release(self) -> None:
        deadline = time.monotonic() + 3.0
        while self._actors and time.monotonic() < deadline:  # killed just now: wait until Ray says they are gone
            self.receive(0.05)
        self._closing.set()
        self._watcher.join(timeout=2.0)
        self._listener.close()
        for sock in self._greeting:
            sock.close()
        for stream in self._outputs.values():
            stream.flush()
        ray_objects.stop_keeper(self._ray)
        paths.flow_fetches(False)
        if self._joined:
            self._ray.shutdown()
        self._caretaker.stop()  # stops the Ray it started, and removes the app's folders


def _describe(resources: dict) -> str:
    shown = {k: v for k, v in resources.items() if not k.startswith("node:") and k != "object_store_memory"}
    parts = []
    for key, value in sorted(shown.items()):
        if key == "memory":
            parts.append(f"memory={value / 2**30:.1f}GiB")
        else:
            parts.append(f"{key}={value:g}")
    return ", ".join(parts) or "nothing"


def _end_reason(ray, ref) -> str:
    """Why the actor's serve() call ended, in one line."""
    try:
        ray.get(ref, timeout=5)
    except ray.exceptions.RayTaskError as exc:  # the actor raised before it could serve (it could not connect)
        cause = exc.cause if getattr(exc, "cause", None) is not None else exc
        return f"the work's Ray actor failed to start: {type(cause).__name__}: {cause}"
    except Exception as exc:  # the actor died: its process ended, was killed, or its node went away
        text = str(exc)
        for marker in ("Worker exit detail: ", "The actor is dead because "):
            if marker in text:
                text = text.split(marker, 1)[1]
                break
        text = text.strip().split("\n", 1)[0]
        detail = text.split(". ", 1)[0].rstrip(".")
        return f"the work's Ray actor died ({detail})"
    return "the work's Ray actor ended"


def _check_storage(node_count: int) -> None:
    from ..storage.store import Store

    if node_count < 2:
        return
    store = Store()
    if store.local:
        raise RayUnavailable(
            f"the Ray cluster has {node_count} nodes but the storage is a local folder ({store.url}), "
            f"which the other nodes cannot see: set LIGHTWORK_STORAGE to a shared URL (s3://bucket/prefix, ...)"
        )


_ACTOR_CLASS = None


def _actor_class(ray):
    """The Ray actor class every work runs in (made once Ray is imported)."""
    global _ACTOR_CLASS
    if _ACTOR_CLASS is None:
        _ACTOR_CLASS = ray.remote(max_concurrency=1)(WorkActor)
    return _ACTOR_CLASS


class WorkActor:
    """One work in a Ray actor: `serve` connects to the app and runs the work until it is stopped."""

    def serve(self, address, secret: str, name: str, path: list, launch: int, blob: bytes, app_folder: str, folders: str) -> None:
        import cloudpickle
        import ray

        from .. import compat
        from . import worker
        from .output import ForwardedLines

        compat.install()  # the app's objects may name Lightning Apps' packages (lightning.app, lightning_app)
        if os.path.isdir(app_folder) and app_folder not in sys.path:
            sys.path.insert(0, app_folder)  # the app's own modules, where the node has the app's folder
        # Its own working folder: nothing passes between works by accident through a shared current folder.
        folder = tempfile.mkdtemp(prefix=f"{name}-", dir=folders if os.path.isdir(folders) else None)
        os.chdir(folder)
        sock = socket.create_connection(tuple(address), timeout=30)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(sock)
        conn.send(Hello(secret, name, launch, ray.util.get_node_ip_address()))

        def send_output(fd: int, text: str) -> None:
            try:
                conn.send(Output(fd, text))
            except OSError:
                pass

        sys.stdout = ForwardedLines(1, send_output)
        sys.stderr = ForwardedLines(2, send_output)
        worker.EXIT_HOOKS.append(lambda: _leave(folder))
        work = cloudpickle.loads(blob)
        object.__setattr__(work, "_lw_name", name)
        object.__setattr__(work, "_lw_path", tuple(path))
        worker.WorkProcess(work, conn).serve()  # never returns: the work ends through worker.exit_process


def _leave(folder: str) -> None:
    """The work is done: remove its folder, and end the actor as Ray expects (so Ray reports no crash)."""
    import shutil

    os.chdir(os.path.dirname(folder))
    shutil.rmtree(folder, ignore_errors=True)
    if threading.current_thread() is threading.main_thread():
        import ray

        ray.actor.exit_actor()

