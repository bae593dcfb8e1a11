"""Which `work.run(...)` calls execute, which wait and which return at once (no I/O here)."""
from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field

from .status import StatusInfo, WorkStatus


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


LATEST_CALL = "latest_call_hash"
_ENDED = ("succeeded", "failed", "stopped")


def call_entry(statuses: list) -> dict:
    """One call of `CallBook.layout()`, from its StatusInfo list."""
    entry = {"name": "run", "statuses": [status.to_dict() for status in statuses]}
    if statuses and statuses[-1].stage == "succeeded":
        entry["ret"] = None  # works return nothing to the flow; Lightning Apps marked a finished call so
    return entry


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
    history: dict = field(default_factory=dict)  # arguments key -> [StatusInfo, ...] of its latest call
    latest: str | None = None  # the arguments key of the latest call dispatched
    _counter: int = 0
    _arguments_key: str | None = None  # an uncached call's arguments key, from `request` to `started`

    def request(self, args: list, kwargs: dict, key: str | None = None) -> tuple[Decision, str]:
        """Decide on a call with JSON arguments; `key` is their `call_key` when the caller has it already."""
        key = key or call_key(args, kwargs)
        if self.cache_calls:
            decision, key = self._request_cached(key, args, kwargs)
        else:
            self._arguments_key = key
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
        self.history[key] = [StatusInfo(WorkStatus.PENDING)]  # shown as Lightning Apps did: pending until it runs
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
        """Call `key` was sent to the work: it is in flight, and the latest call (its statuses start anew)."""
        self.queued.pop(key, None)
        self.in_flight = key
        self.latest = key if self.cache_calls else self._arguments_key
        self.history.pop(self.latest, None)  # a call again with the same arguments: the newest comes last
        self.history[self.latest] = []

    def note(self, status) -> None:
        """Record a status (a StatusInfo) of the latest call."""
        if self.latest is not None:
            self.history[self.latest].append(status)

    def layout(self) -> dict:
        """The calls as Lightning Apps showed them in `work.state["calls"]`: `{"latest_call_hash": key,
        key: {"name": "run", "statuses": [...], "ret": None once it succeeded}, ...}`."""
        calls: dict = {LATEST_CALL: self.latest}
        for key, statuses in self.history.items():
            calls[key] = call_entry(statuses)
        return calls

    def restore(self, calls: dict) -> list:
        """Take the calls of `layout()` back (finished cached calls count as done); return the latest call's
        statuses as StatusInfo objects."""
        self.history, self.finished = {}, {}
        self.in_flight, self.unconsumed, self.last_arguments = None, None, None
        self.queued.clear()
        for key, entry in calls.items():
            if key == LATEST_CALL or not isinstance(entry, dict):
                continue
            statuses = [StatusInfo.from_dict(s) for s in entry.get("statuses", [])]
            self.history[key] = statuses
            if self.cache_calls and statuses and statuses[-1].stage in _ENDED:
                self.finished[key] = statuses[-1].stage.value
        latest = calls.get(LATEST_CALL)
        self.latest = latest if latest in self.history else None
        return list(self.history.get(self.latest, []))

    def finished_call(self, key: str, outcome: str) -> None:
        """Record the end of call `key`; outcome is succeeded, failed or stopped."""
        if key != self.in_flight:
            return
        self.in_flight = None
        if self.cache_calls:
            self.finished[key] = outcome
        else:
            self.unconsumed = key

    def forget_stopped(self) -> None:
        """The latest call was stopped from outside (its process killed): the next request with the same
        arguments runs it again instead of returning at once."""
        if self.latest is not None and self.finished.get(self.latest) == "stopped":
            del self.finished[self.latest]
        if self.unconsumed is not None:
            self.unconsumed = None

    def drop_queued(self, message: str) -> list:
        """Forget the calls waiting for the one in flight (the work was stopped); their entries end `stopped`.
        Returns their keys."""
        keys = list(self.queued)
        for key in keys:
            self.history[key].append(StatusInfo(WorkStatus.STOPPED, message))
        self.queued.clear()
        return keys

    def next_queued(self) -> tuple[str, list, dict] | None:
        """The oldest call that waited for the one in flight, once nothing is in flight."""
        if self.in_flight is not None or not self.queued:
            return None
        key = next(iter(self.queued))
        return (key, *self.queued[key])
