"""Which `work.run(...)` calls execute, which wait and which return at once (no I/O here)."""
from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field


class Decision(enum.Enum):
    RETURN = "return"  # nothing to do: cached, consumed, or parallel and already in flight
    DISPATCH = "dispatch"  # send this call to the work now
    WAIT = "wait"  # a blocking call that has not finished: the flow's pass stops here


def call_key(args, kwargs: dict) -> str:
    """A stable key for a call's arguments (storage objects count as their references); TypeError or
    ValueError when they are not JSON."""
    text = json.dumps([args, kwargs], sort_keys=True, separators=(",", ":"), default=_reference)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _reference(value):
    encode = getattr(value, "_lw_encode", None)
    if encode is None or isinstance(value, type):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return encode()


@dataclass
class CallBook:
    """The flow-side record of one work's calls; `request` decides, `started`/`finished` record."""

    cache_calls: bool = True
    parallel: bool = False
    in_flight: str | None = None
    queued: dict = field(default_factory=dict)  # key -> (args, kwargs), in call order
    finished: dict = field(default_factory=dict)  # key -> "succeeded" | "failed" | "stopped"
    unconsumed: str | None = None
    last_arguments: tuple | None = None  # (JSON args, JSON kwargs, call_key) of the latest request
    _counter: int = 0

    def request(self, args: list, kwargs: dict, key: str | None = None) -> tuple[Decision, str]:
        """Decide on a call with JSON arguments; `key` is their `call_key` when the caller has it already."""
        if self.cache_calls:
            decision, key = self._request_cached(key or call_key(args, kwargs), args, kwargs)
        else:
            decision, key = self._request_uncached()
        if decision is Decision.WAIT and self.parallel:
            decision = Decision.RETURN
        return decision, key

    def _request_cached(self, key: str, args: list, kwargs: dict) -> tuple[Decision, str]:
        if key in self.finished:
            return Decision.RETURN, key
        if key == self.in_flight or key in self.queued:
            return Decision.WAIT, key
        if self.in_flight is None:
            return Decision.DISPATCH, key
        self.queued[key] = (args, kwargs)
        return Decision.WAIT, key

    def _request_uncached(self) -> tuple[Decision, str]:
        if self.in_flight is not None:
            return Decision.WAIT, self.in_flight
        if self.unconsumed is not None and not self.parallel:
            key, self.unconsumed = self.unconsumed, None
            return Decision.RETURN, key
        self._counter += 1
        return Decision.DISPATCH, f"call-{self._counter}"

    def started(self, key: str) -> None:
        self.queued.pop(key, None)
        self.in_flight = key

    def finished_call(self, key: str, outcome: str) -> None:
        """Record the end of call `key`; outcome is succeeded, failed or stopped."""
        if key != self.in_flight:
            return
        self.in_flight = None
        if self.cache_calls:
            self.finished[key] = outcome
        else:
            self.unconsumed = key

    def next_queued(self) -> tuple[str, list, dict] | None:
        """The oldest call that waited for the one in flight, once nothing is in flight."""
        if self.in_flight is not None or not self.queued:
            return None
        key = next(iter(self.queued))
        return (key, *self.queued[key])
