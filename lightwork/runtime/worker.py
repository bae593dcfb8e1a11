"""The work's side: run calls, apply the flow's writes, publish state changes as coalesced deltas.

The work object here has no Python-level `__setattr__`, so `self.counter += 1` runs at full speed; a
publisher thread polls the state attributes instead and sends what changed.
"""
from __future__ import annotations

import gc
import io
import json
import os
import pickle
import queue
import signal
import socket
import sys
import sysconfig
import threading
import time

from ..core import context
from ..core.codec import SCALARS, from_json, to_json
from ..core.component import StateValueError, check_keys
from ..core.delta import apply_change, diff, iter_changes, same, wire
from ..core.work import FLOW_ONLY_ATTRIBUTES
from ..storage.path import fetch_paths, paths_travel, share_paths
from .protocol import Call, Connection, Delta, ErrorInfo, Serving, Status, Stop, Update, encode

FAST_POLL = 0.001  # seconds between polls while the state is changing (also the least gap between deltas)
SLOW_POLL = 0.004  # ... then growing towards QUIET_POLL while nothing changes
QUIET_POLL = 0.5  # ... at most, while assignments wake the publisher and only in-place changes need polling
ARM_AFTER = 0.01  # seconds without a change before assignments are watched instead of polled for
DENSE = 32  # more watched assignments than this between two publishes: back to polling (a hot loop)
MAX_ARMS = 400  # watches per process: each one changes the work's class, and CPython 3.13 stops
#                specialising attribute access on a class changed about a thousand times
POLL_SHARE = 0.1  # at most this share of the time goes to polling (large containers in state cost more)


class WorkStopped(BaseException):
    """Raised inside a work's `run()` when the app stops the work."""


_fast_classes: dict = {}


def portable_copy(work, cls: type | None = None):
    """A shallow copy of `work` (as an instance of `cls`) without the flow's bookkeeping."""
    copy = object.__new__(cls or type(work))
    for key, value in vars(work).items():
        if key not in FLOW_ONLY_ATTRIBUTES:
            object.__setattr__(copy, key, value)
    return copy


def fast_class(cls: type) -> type:
    """The subclass of `cls` with no Python `__setattr__` (one per class and process; the fork server makes
    them before forking, so each work inherits its class instead of building one)."""
    fast = _fast_classes.get(cls)
    if fast is None:
        namespace = {"__setattr__": object.__setattr__, "__module__": cls.__module__, "__qualname__": cls.__qualname__}
        fast = _fast_classes[cls] = type(cls.__name__, (cls,), namespace)
    return fast


def _has_setter(cls: type, name: str) -> bool:
    settable = getattr(cls, name, None)
    return isinstance(settable, property) and settable.fset is not None


def fast_copy(work):
    """A copy of `work` whose class has no Python `__setattr__`, built fresh to keep CPython's fast layout."""
    return portable_copy(work, fast_class(type(work)))


class AssignmentWatch:
    """Wakes the publisher when the work's code assigns an attribute, while the work is quiet.

    Armed, the work's private fast class gets a Python `__setattr__` that passes each assignment through
    `check(name, value)` (which returns the value to store, or raises a state-rule error at that very line)
    and sets `wake`; disarmed, it has `object.__setattr__` again, so a busy loop runs at full speed and is
    polled instead.
    """

    def __init__(self, cls: type, wake: threading.Event, check=lambda name, value: value) -> None:
        self.cls, self.wake = cls, wake
        self.armed = False
        self.hits = 0  # watched assignments since the publisher last looked
        self.arms_left = MAX_ARMS

        def notifying_setattr(obj, name, value):
            object.__setattr__(obj, name, check(name, value))
            self.hits += 1
            if not wake.is_set():
                wake.set()

        self._notifying_setattr = notifying_setattr

    def arm(self, force: bool = False) -> bool:
        """Start watching (if the budget allows, or `force`); True when armed."""
        if not self.armed and (self.arms_left or force):
            self.arms_left = max(0, self.arms_left - 1)
            self.hits, self.armed = 0, True
            self.cls.__setattr__ = self._notifying_setattr
        return self.armed

    def disarm(self) -> None:
        if self.armed:
            self.cls.__setattr__ = object.__setattr__
            self.armed = False


# Raises a state-rule error in the work's own code; a signal also interrupts a blocking call made from it.
VIOLATION_SIGNAL = getattr(signal, "SIGRTMIN", signal.SIGUSR2) + (2 if hasattr(signal, "SIGRTMIN") else 0)


class WorkProcess:
    """Serves one work over `conn` until the flow goes away or the work is stopped."""

    def __init__(self, work, conn: Connection, early: list = ()) -> None:
        context.set_work(work.name)
        self.early = list(early)  # messages that arrived with the work's object, to handle first
        self.work = fast_copy(work)
        self.conn = conn
        self.names = list(self.work._lw_vars)
        self.prefix = tuple(self.work._lw_path) + ("vars",)
        self.owner = type(work).__name__
        self.lock = threading.Lock()
        self.snapshot = {name: to_json(getattr(self.work, name)) for name in self.names}
        self.objects = {name: getattr(self.work, name) for name in self.names}  # what the snapshot was taken of
        self.ack = 0
        self.calls: queue.SimpleQueue = queue.SimpleQueue()
        self.main_thread = threading.get_ident()
        self.in_user_code = False
        self.violation: BaseException | None = None  # a state-rule error found by the publisher
        self.undelivered: BaseException | None = None  # ... not yet raised in the user's code
        self.rejected: dict = {}  # attribute -> the non-JSON value already reported
        self.said_returned = False  # a value returned by run() was reported (once per process)
        self.running = False  # a call is executing in the main thread
        self.wake = threading.Event()  # set by a watched assignment and by the start of a call
        self.watch = AssignmentWatch(type(self.work), self.wake, self._check_assignment)
        self.watch.arm()  # nothing runs yet: an assignment from a thread the work left behind still wakes us
        self.attribute_count = _attribute_count(self.work)
        self.known_attributes: set | None = None  # set once the object's __dict__ had to be read
        self.server_watched = False
        self.paths_travel = paths_travel()  # this work has a folder of its own (Ray): Paths go through the storage
        type(self.work)._lw_on_port = self._watch_server  # on its private class: a new attribute would cost speed

    # -- threads -------------------------------------------------------------------------------------------
    def serve(self) -> None:
        EXIT_HOOKS.append(self._on_exit)  # after the runtime's hooks: they run last-added first
        signal.signal(signal.SIGTERM, self._on_sigterm)
        signal.signal(VIOLATION_SIGNAL, self._on_violation)
        threading.Thread(target=self._receive, name="lightwork-receiver", daemon=True).start()
        threading.Thread(target=self._publish_forever, name="lightwork-publisher", daemon=True).start()
        while True:
            self._execute(self.calls.get())

    def _receive(self) -> None:
        while True:
            messages, self.early = self.early or self.conn.recv(), []
            if messages is None:  # the flow's process is gone: nothing to report to any more
                exit_process()
            for message in messages:
                if isinstance(message, Stop):  # handled in the main thread, as a signal would be
                    signal.pthread_kill(self.main_thread, signal.SIGTERM)
                    continue
                with self.lock:
                    try:
                        if isinstance(message, Call):
                            self._apply_values(message.state)
                            if message.endpoint:
                                object.__setattr__(self.work, "_host", message.endpoint[0])
                                object.__setattr__(self.work, "_port", message.endpoint[1])
                        elif isinstance(message, Update):
                            self._apply_update(message.delta)
                    except Exception as exc:  # a bad message must not stop the receiver: report it
                        self._violate(RuntimeError, f"lightwork could not apply the app's {type(message).__name__}: {exc!r}")
                    self.ack = message.seq
                    if isinstance(message, Call):
                        self.calls.put(message)
                    else:
                        self.conn.send(Delta(self.ack, {}))

    def _publish_forever(self) -> None:
        """Publish changes: poll while the state changes, then let assignments wake us (see AssignmentWatch).

        Between calls nothing is polled; a timed poll is skipped when no other thread of the process used
        the CPU since the last one, since then nothing can have changed.
        """
        arm_after, interval, cost = ARM_AFTER, FAST_POLL, 0.0
        last_change = last_poll = time.monotonic()
        others_cpu = _other_threads_cpu()
        while True:
            since = time.monotonic() - last_poll
            if since < FAST_POLL:  # coalesce: at most one delta per FAST_POLL
                time.sleep(FAST_POLL - since)
            timeout = max(interval, cost / POLL_SHARE) if self.running else None
            woken = self.wake.wait(timeout)
            self.wake.clear()
            now = last_poll = time.monotonic()
            backed_off = min(interval * 2, QUIET_POLL if self.watch.armed else SLOW_POLL)
            if not woken:
                used, others_cpu = others_cpu, _other_threads_cpu()
                if used == others_cpu:  # only this thread ran: nothing can have changed
                    interval = backed_off
                    continue
            with self.lock:
                if self.watch.hits > DENSE and self.undelivered is None:  # a busy loop: polling costs less
                    self.watch.disarm()
                    arm_after = min(arm_after * 1.25, 2.0)  # fewer class changes for bursty works
                self.watch.hits = 0
                if self._publish_safely():
                    last_change, interval = now, FAST_POLL
                elif now - last_change >= arm_after and not self.watch.armed and self.watch.arm():
                    self._publish_safely()  # an assignment made just before the watch began
                    interval = SLOW_POLL
                else:
                    interval = backed_off
            cost = time.monotonic() - now

    def _publish_safely(self) -> bool:
        """`_publish()`, turning a failure into the work's error: the publisher never stops silently."""
        try:
            return self._publish()
        except Exception as exc:
            self._violate(RuntimeError, f"lightwork could not publish the work's state: {exc!r}")
            return False

    # -- state ---------------------------------------------------------------------------------------------
    def _apply_values(self, values: dict) -> None:
        for name, value in values.items():
            if name in self.snapshot and not same(self.snapshot[name], value):
                object.__setattr__(self.work, name, from_json(value))
                self.snapshot[name] = value

    def _apply_update(self, delta: dict) -> None:
        top = len(self.prefix)
        touched = set()
        for kind, path, value in iter_changes(delta):
            if path[:top] != self.prefix or len(path) == top or path[top] not in self.snapshot:
                continue
            name = path[top]
            if len(path) == top + 1:
                object.__setattr__(self.work, name, from_json(value))
            else:
                apply_change({name: getattr(self.work, name)}, kind, path[top:], from_json(value))
            touched.add(name)
        for name in touched:
            self.snapshot[name] = to_json(getattr(self.work, name))

    def _publish(self) -> bool:
        """Send one delta with every change since the last one (caller holds the lock)."""
        changed: dict = {}  # name -> (the object, its JSON copy)
        for name in self.names:
            value = getattr(self.work, name, _MISSING)
            old = self.snapshot[name]
            if value is _MISSING:
                if self.rejected.get(name) is not _MISSING:
                    self.rejected[name] = _MISSING
                    self._violate(AttributeError, f"{self.owner}.{name} was deleted: state attributes cannot be deleted")
                continue
            if value is old and not isinstance(value, (list, dict)):
                continue  # an unchanged scalar: the common case, kept cheap
            if self.rejected.get(name, _MISSING) is value:
                continue
            value = self._own_paths(name, value)
            new = consistent_copy(value)
            if same(new, old):
                self.objects[name] = value
            else:
                changed[name] = (value, new)
        self._check_new_attributes()
        if not changed:
            return False
        for name, (value, new) in list(changed.items()):
            try:
                check_keys(self.owner, name, new)
            except TypeError as exc:
                del changed[name]
                self.rejected[name] = value
                self._violate(StateValueError, str(exc))
        try:
            data = encode(Delta(self.ack, self._delta(changed)))
        except (TypeError, ValueError):  # some value is not JSON: find which, publish the others
            for name, (value, new) in list(changed.items()):
                try:
                    json.dumps(new)
                except (TypeError, ValueError) as exc:
                    del changed[name]
                    self.rejected[name] = value
                    self._violate(StateValueError, f"{self.owner}.{name} = {type(value).__name__} value: state values must be JSON-serialisable ({exc})")
            data = encode(Delta(self.ack, self._delta(changed)))
        if not changed:
            return False
        for name, (value, new) in changed.items():
            self.rejected.pop(name, None)
            self.snapshot[name], self.objects[name] = new, value
        self.conn.send_encoded(data)
        return True

    def _delta(self, changed: dict) -> dict:
        """The delta of `changed` against the snapshot; a container the attribute no longer holds goes whole."""
        changes: dict = {}
        for name, (value, new) in changed.items():
            whole = isinstance(value, (list, dict)) and value is not self.objects.get(name)
            diff(self.snapshot[name], new, self.prefix + (name,), changes, whole=whole)
        return wire(changes)

    def _own_paths(self, name: str, value):
        """Store `_owned_path(value)` in place of `value` when it differs (an assignment the watch missed)."""
        owned = self._owned_path(value)
        if owned is not value:
            object.__setattr__(self.work, name, owned)
        return owned

    def _owned_path(self, value):
        """A `lit://` string becomes a Path of this work; a Path without an owner becomes this work's."""
        if isinstance(value, str) and value.startswith("lit://") or getattr(value, "_lw_unowned", False):
            from ..storage.path import Path

            return Path(value, origin=self.work.name)
        return value

    def _check_new_attributes(self) -> None:
        if self.known_attributes is None:
            if _attribute_count(self.work) == self.attribute_count:
                return
            self.known_attributes = set(vars(self.work))
            added = self.known_attributes
        else:
            current = set(vars(self.work))
            if current == self.known_attributes:
                return
            added, self.known_attributes = current - self.known_attributes, current
        for name in sorted(added):
            if not name.startswith("_") and name not in self.snapshot:
                self._violate(AttributeError, f"{self.owner}.{name} was not defined in __init__: state attributes can only be added in __init__ (use a name starting with '_' for private values)")

    def _violate(self, kind: type[BaseException], message: str) -> None:
        """Raise `kind(message)` in the work's own code (caller holds the lock): where its main thread is now
        if that is the work's code, else at its next attribute assignment, else when `run()` returns."""
        if self.violation is None:
            self.violation = self.undelivered = kind(message)
            self.watch.arm(force=True)
            signal.pthread_kill(self.main_thread, VIOLATION_SIGNAL)

    def _check_assignment(self, name: str, value):
        """An assignment seen by the watch: the value to store, or the state-rule error raised right here."""
        if self.undelivered is not None and self.in_user_code:
            with self.lock:
                error = self._take_violation()
            if error is not None:
                raise error
        if name.startswith("_") or _has_setter(type(self.work), name):  # a property's setter decides
            return value
        if name not in self.snapshot:
            raise AttributeError(f"{self.owner}.{name} was not defined in __init__: state attributes can only be added in __init__ (use a name starting with '_' for private values)")
        if type(value) not in SCALARS and not isinstance(value, (list, dict, tuple)) and not hasattr(value, "_lw_encode"):
            raise StateValueError(f"{self.owner}.{name} = {type(value).__name__} value: state values must be JSON-serialisable")
        return self._owned_path(value)

    def _watch_server(self) -> None:
        """The work read its port: from now on, tell the flow once a server answers there."""
        if not self.server_watched:
            self.server_watched = True
            threading.Thread(target=self._await_server, name="lightwork-server-watch", daemon=True).start()

    def _await_server(self) -> None:
        from ..utilities.network import url_of

        url = url_of(self.work._host, self.work._port)
        address = (url.rsplit(":", 1)[0][len("http://"):], self.work._port)
        delay = 0.02
        while True:
            try:
                socket.create_connection(address, timeout=1.0).close()
                break
            except OSError:
                time.sleep(delay)
                delay = min(delay * 1.5, 0.5)
        object.__setattr__(self.work, "_url", url)
        self.conn.send(Serving(url))

    # -- calls ---------------------------------------------------------------------------------------------
    def _execute(self, call: Call) -> None:
        self.running = True
        self.wake.set()  # the publisher polls again while the call runs
        self._status(call.call_id, "running")
        try:
            try:
                with self.lock:
                    early = self._take_violation()
                    if early is not None:  # found before this call began (its state could not be applied)
                        raise early
                args, kwargs = from_json(call.args), from_json(call.kwargs)
                if self.paths_travel:
                    fetch_paths([args, kwargs, self._state_values()])
                with self.lock:
                    self.in_user_code = True
                returned = self.work.run(*args, **kwargs)
            finally:
                self._leave_user_code()
                if self.paths_travel:
                    share_paths(self._owned_state_values(), self.work.name)
            with self.lock:
                self._publish()
                violation = self._take_violation()
            if violation is not None:
                raise violation
            if returned is not None and not self.said_returned:  # it is lost: say so once (the call succeeds)
                self.said_returned = True
                print(f"lightwork: {self.work.name}.run() returned a {type(returned).__name__}, which does not reach "
                      f"the flow: set a state attribute (or a Payload) instead", file=sys.__stderr__, flush=True)
        except WorkStopped:
            self._finish(call.call_id, "stopped", "stopped by the app")
            exit_process()
        except BaseException as exc:  # the work failed: report it as data, the flow decides
            self._leave_user_code()
            with self.lock:
                self._take_violation()  # what it found is this failure or an effect of it
            self._finish(call.call_id, "failed", error=ErrorInfo.from_exception(exc, hide=_INTERNAL))
        else:
            _flush_output()
            self._status(call.call_id, "succeeded")

    def _state_values(self) -> list:
        return [getattr(self.work, name, None) for name in self.names]

    def _owned_state_values(self) -> list:
        """`_state_values()`, with `lit://` values this work set made its Paths now (the publisher may not
        have run since the assignment)."""
        with self.lock:
            return [self._own_paths(name, value) for name, value in zip(self.names, self._state_values())]

    def _take_violation(self) -> BaseException | None:
        """The state-rule error found since the last call, cleared (caller holds the lock)."""
        violation, self.violation, self.undelivered = self.violation, None, None
        return violation

    def _leave_user_code(self) -> None:
        with self.lock:
            self.in_user_code = self.running = False

    def _finish(self, call_id: str, stage: str, message: str = "", error: ErrorInfo | None = None) -> None:
        _flush_output()
        with self.lock:
            self._publish()
        self._status(call_id, stage, message, error)

    def _status(self, call_id: str, stage: str, message: str = "", error: ErrorInfo | None = None) -> None:
        with self.lock:
            self.conn.send(Status(call_id, stage, self.ack, message or (error.summary() if error else ""), error))

    def _on_violation(self, signum, frame) -> None:
        # Only in the work's own code: a library's or Python's cleanup (finally, __exit__) is never cut short.
        error = self.undelivered
        if error is not None and self.in_user_code and frame is not None and _is_own_code(frame):
            self.undelivered = None
            raise error

    def _on_exit(self) -> None:
        """The work's `on_exit()` hook; its error is printed, and the process ends anyway."""
        try:
            self.work.on_exit()
        except BaseException:  # noqa: BLE001 - the process is ending: say what failed, then go on
            import traceback

            print(f"lightwork: {self.work.name}.on_exit() failed", file=sys.stderr)
            traceback.print_exc()

    def _on_sigterm(self, signum, frame) -> None:
        if self.in_user_code:
            raise WorkStopped()
        exit_process()


EXIT_HOOKS: list = []  # run by exit_process, last added first (a runtime's way to end its work cleanly)


def exit_process(code: int = 0) -> None:
    """End the work's process: flush its output, run the exit hooks, exit without Python's cleanup."""
    _flush_output()
    while EXIT_HOOKS:
        EXIT_HOOKS.pop()()
    os._exit(code)


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def consistent_copy(value):
    """`to_json(value)` taken at one instant, though the work's threads keep changing `value`.

    A copy made in Python can see a container half changed (or fail: "dictionary changed size during
    iteration"). A flat list or dict of scalars is copied by one C call; anything deeper by the C pickler,
    which runs no Python code for JSON data, so no other thread runs in between either.
    """
    if type(value) in SCALARS:
        return value
    if type(value) in (dict, list):
        copy = value.copy()
        if all(type(item) in SCALARS for item in (copy.values() if type(copy) is dict else copy)):
            return copy
    try:
        buffer = io.BytesIO()
        _JsonPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        return pickle.loads(buffer.getbuffer())
    except Exception:  # not picklable, so not JSON either: the caller reports it
        return to_json(value)


class _JsonPickler(pickle.Pickler):
    """Pickles state as `to_json` copies it: storage objects as their references, dict and list subclasses
    as plain ones (exact dicts, lists and scalars never reach this method)."""

    def reducer_override(self, obj):
        encode = getattr(obj, "_lw_encode", None)
        if encode is not None and not isinstance(obj, type):
            return dict, (encode(),)
        if isinstance(obj, dict):
            return dict, (dict(obj),)
        if isinstance(obj, list):
            return list, (list(obj),)
        return NotImplemented


def _is_own_code(frame) -> bool:
    """Whether `frame` runs the app's own code, not Python's, an installed library's or lightwork's."""
    filename = frame.f_code.co_filename
    return not filename.startswith("<") and not filename.startswith(_FOREIGN)


def _attribute_count(obj) -> int:
    """A number that changes when `obj` gains an attribute, read without costing the object its fast layout."""
    if sys.version_info >= (3, 11):  # attributes stored inline: reading __dict__ would build one for good
        return len(gc.get_referents(obj))
    return len(vars(obj))  # 3.10 objects always have their __dict__; get_referents counts it as one


def _other_threads_cpu() -> float:
    """CPU seconds used by every thread of this process but the calling one."""
    return time.process_time() - time.thread_time()


_MISSING = object()
_INTERNAL = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_FOREIGN = tuple({os.path.join(sysconfig.get_paths()[key], "") for key in ("stdlib", "platstdlib", "purelib", "platlib")} | {os.path.join(_INTERNAL, "")})
