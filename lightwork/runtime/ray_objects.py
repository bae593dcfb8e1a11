"""Payloads in Ray's object store, for apps on the Ray runtime.

A payload is pickled once (cloudpickle, protocol 5) and put in the object store by the process that made it;
its large buffers stay out of band, so a reader on the same node unpickles over the store's memory without a
copy (a numpy array arrives read-only), and Ray moves it to a reader on another node. One keeper actor per
app maps payload ids to their object refs, which keeps them alive until the app's collector lets them go.
A work that ends hands the payloads it made to the keeper, since Ray drops an object with its maker.
"""
from __future__ import annotations

import os
import pickle
import sys
import time

from ..storage.payload import RAY_PAYLOADS_VARIABLE as KEEPER_VARIABLE
HANDOVER_TIMEOUT = 30.0  # seconds an ending work may spend handing its payloads to the keeper

_keeper = None  # this process's handle on the keeper
_maker: str | None = None  # this process's name with the keeper, once it put a payload


class PayloadKeeper:
    """The app's Ray actor that keeps payload objects alive by id (started by `start_keeper`)."""

    def __init__(self) -> None:
        self._refs: dict = {}  # payload id -> (object ref, monotonic time kept, maker or None once ours)

    def keep(self, payload_id: str, wrapped: list, maker: str) -> None:
        # In a list, so Ray passes the ref itself; holding it keeps the object alive while its maker lives.
        self._refs[payload_id] = (wrapped[0], time.monotonic(), maker)

    def find(self, payload_id: str) -> list:
        kept = self._refs.get(payload_id)
        return [kept[0]] if kept else []

    def adopt(self, maker: str) -> None:
        """Own a copy of every payload kept for `maker`, which is about to end (and Ray drops its objects)."""
        import ray

        for payload_id, (ref, kept, by) in list(self._refs.items()):
            if by == maker:
                data, *buffers = ray.get(ref)
                self._refs[payload_id] = (ray.put([data, *map(pickle.PickleBuffer, buffers)]), kept, None)

    def ids(self) -> list:
        return list(self._refs)

    def node_id(self) -> str:
        import ray

        return ray.get_runtime_context().get_node_id()

    def collect(self, referenced: set, released: set, min_age: float) -> int:
        """Let go of payloads not `referenced`: at once when `released`, else once older than `min_age` s."""
        now = time.monotonic()
        gone = [i for i, (_, kept, _) in self._refs.items() if i not in referenced and (i in released or now - kept >= min_age)]
        for payload_id in gone:
            del self._refs[payload_id]
        return len(gone)


def start_keeper(ray):
    """Start the app's keeper; payloads of this process and of actors given its environment use it from now on."""
    import uuid

    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    global _keeper
    name = f"lightwork-payloads-{uuid.uuid4().hex[:16]}"
    # On the app's own node: it must not go away with another node while the app runs.
    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    _keeper = ray.remote(num_cpus=0, max_restarts=0)(PayloadKeeper).options(name=name, scheduling_strategy=here).remote()
    os.environ[KEEPER_VARIABLE] = name
    return _keeper


def stop_keeper(ray) -> None:
    global _keeper
    os.environ.pop(KEEPER_VARIABLE, None)
    if _keeper is not None:
        ray.kill(_keeper)
        _keeper = None


def _the_keeper():
    global _keeper
    if _keeper is None:
        import ray

        _keeper = ray.get_actor(os.environ[KEEPER_VARIABLE])
    return _keeper


def put(payload_id: str, value) -> int:
    """Store `value` under `payload_id`; return the bytes of its stored form."""
    import cloudpickle
    import ray

    buffers: list = []
    data = cloudpickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    ref = ray.put([data, *buffers])
    ray.get(_the_keeper().keep.remote(payload_id, [ref], _this_maker()))  # kept before anyone can read its id
    return len(data) + sum(memoryview(b).nbytes for b in buffers)


def find(payload_id: str):
    """The object ref of a stored payload (holding it keeps the object), or None if the app let it go."""
    import ray

    found = ray.get(_the_keeper().find.remote(payload_id))
    return found[0] if found else None


def load(ref, payload_id: str):
    """The payload's object, unpickled over the object store's memory."""
    import ray

    if ref is None:
        raise RuntimeError(f"payload {payload_id} is no longer stored: the app let it go once nothing referred to it")
    try:
        parts = ray.get(ref)
    except ray.exceptions.OwnerDiedError:
        raise RuntimeError(f"payload {payload_id} is lost: the work that made it died before handing it over") from None
    return pickle.loads(parts[0], buffers=parts[1:])


def stored_ids() -> set:
    import ray

    return set(ray.get(_the_keeper().ids.remote()))


def collect(referenced: set, released: set, min_age: float) -> int:
    import ray

    return ray.get(_the_keeper().collect.remote(referenced, released, min_age))


def _this_maker() -> str:
    global _maker
    if _maker is None:
        import uuid

        from . import worker

        _maker = uuid.uuid4().hex
        worker.EXIT_HOOKS.append(_hand_over)  # runs before the work's own exit hooks (last added, first run)
    return _maker


def _hand_over() -> None:
    """The work ends: the keeper copies the payloads it made that the app still refers to."""
    import ray

    try:
        ray.get(_the_keeper().adopt.remote(_maker), timeout=HANDOVER_TIMEOUT)
    except Exception as exc:  # the work ends anyway; readers of its payloads will say they are lost
        print(f"lightwork: the payloads of this work could not be handed over: {exc}".splitlines()[0], file=sys.stderr)
