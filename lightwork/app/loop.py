"""The event loop: collect work messages, apply deltas, run the root flow, dispatch work calls.

The root flow's `run()` runs again when something changed: a work's state or status, the flow's own state
(the pass itself, an API request, a command), or a time a flow asked for came (`schedule`); otherwise the
loop sleeps in `select`.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import sys
import time

from ..core import context
from ..core.calls import LATEST_CALL, Decision, call_entry, call_key
from ..core.codec import from_json, to_json
from ..core.component import check_keys
from ..core.delta import apply_change, diff, iter_changes, matches, public, same, wire
from ..core.flow import AppStop
from ..core.status import StatusInfo, WorkStatus, check_transition
from ..core.work import LightningWork
from ..runtime.base import WorkStartError
from ..runtime.output import LOG_DIR_VARIABLE
from ..runtime.protocol import Call, Delta, ErrorInfo, Exited, Placed, Serving, Status, Update
from ..storage.mount import mounts_of
from ..storage.mount import refusal as mount_refusal
from ..storage.payload import (
    PAYLOAD_VARIABLE,
    argument_payload,
    collect_garbage,
    new_payload_dir,
    referenced_ids,
    spill_dir,
    stored_payload_ids,
)
from ..utilities.enum import AppStage, WorkStopReasons
from .feed import StateFeed, copied
from .flow_timer import FlowTimer
from .steer import Refused

WAKE_RECHECK = 60.0  # seconds: a far wake time (a schedule) is checked against the wall clock this often
PAYLOAD_GC_INTERVAL = 0.25  # seconds between removals of payload files nothing refers to
PAYLOAD_GC_BACKLOG = 32  # ... or sooner, once this many payloads arrived since the last removal
STOP_GRACE = 1.0  # seconds a stopping work has to end before it is killed


class PassAborted(BaseException):
    """A blocking work call has not finished: the rest of this flow pass waits for a later pass."""


class Terminated(BaseException):
    """The app process received SIGTERM."""


class WorkFailed(Exception):
    """A work with raise_exception=True failed; carries its remote error."""

    def __init__(self, work_name: str, error: ErrorInfo) -> None:
        super().__init__(f"{work_name} failed: {error.summary()}")
        self.work_name, self.error = work_name, error


class AppLoop:
    """Runs one app until its flow stops it, a work fails, or a signal arrives; `run()` returns the exit code."""

    signalled: int | None = None  # the first SIGINT or SIGTERM received while stopping
    _stopping = False
    _shut_down = False

    def __init__(self, app, runtime_factory=None) -> None:
        from ..runtime.process import ProcessRuntime

        context.set_role(context.FLOW)
        self._signal_handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
        self.app = app
        self.root = app.root
        self._payload_dir = None
        if not os.environ.get(PAYLOAD_VARIABLE):
            self._payload_dir = os.environ[PAYLOAD_VARIABLE] = new_payload_dir()
        self._in_flight_args: dict = {}  # work name -> encoded arguments of its running call
        self._idle_until: dict = {}  # work name -> when its process stops, idle since its last call (idle_timeout)
        self._payloads_seen: set = set()  # ids of every payload that reached the app and is not removed yet
        cleanup = (self._payload_dir, spill_dir(self._payload_dir)) if self._payload_dir else ()
        if os.environ.get(LOG_DIR_VARIABLE):  # the works' output kept for the web UI: gone even if we are killed
            cleanup += (os.environ[LOG_DIR_VARIABLE],)
        try:
            self.runtime = (runtime_factory or ProcessRuntime)(self.root, cleanup)  # forks: before any thread starts
        except BaseException:
            self._remove_payload_dir()
            raise
        # Works made while the app runs call us too (never their own run() in the flow's process); set after
        # the fork, so work processes keep running run() themselves.
        LightningWork._lw_backend = self
        self.seq = 0
        self.stopping: set = set()
        self.changed = True  # a pass is due: something changed since the last one (or none ran yet)
        self._wakes: set = set()  # time.time() values flows asked for a pass at (schedules, components' timers)
        self._works: dict = {}
        self._flow_vars = self._flow_values()
        log = os.environ.get("LIGHTWORK_DELTA_LOG")
        self._delta_log = open(log, "a", buffering=1) if log else None
        self._requests: collections.deque = collections.deque()  # (fn, future, reads) from other threads: see submit()
        self.stop_requested = False
        self.feed: StateFeed | None = None  # made by observe(): only an observed app pays for the mirror
        self._shape = self._shape_of_tree()  # the components at the last pass: a pass follows when they change
        self._flow_timer = FlowTimer()
        for work in self._all_works():
            self._adopt(work)

    # -- other threads ------------------------------------------------------------------------------------
    def observe(self) -> StateFeed:
        """Keep a feed of the state for observers from now on (call before `run`, in the loop's thread)."""
        if self.feed is None:
            self.feed = StateFeed(self.root.state)
        return self.feed

    def submit(self, fn, reads: bool = False) -> concurrent.futures.Future:
        """From any thread: run `fn()` in the loop's thread between passes; its result or error go to the
        future. A pass follows, unless `reads` (it only looks) and the flows' values are as they were. A future
        cancelled before its turn is skipped, so it changes nothing."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._requests.append((fn, future, reads))
        self.runtime.wake()
        return future

    def _serve_requests(self) -> None:
        served = changed = False
        while self._requests:
            fn, future, reads = self._requests.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except PassAborted:  # a blocking work call from a handler: it goes on in later passes
                result = None
            except Refused as exc:  # a refused change changed nothing
                future.set_exception(exc)
                continue
            except Exception as exc:  # a pass follows all the same: the handler may have changed state first
                future.set_exception(exc)
            else:
                future.set_result(result)
            served = True
            changed = changed or not reads
        # The requests' writes are seen now, so the next pass does not take them for its own.
        if served and (self._see_flow_writes(self._flow_values()) or changed):
            self.changed = True

    def request_stop(self) -> None:
        """End the app as `flow.stop()` would, before the next pass (call through `submit`)."""
        self.stop_requested = True

    # -- the loop ------------------------------------------------------------------------------------------
    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        code = 0
        try:
            self._loop()
        except AppStop as stop:
            code = 1 if stop.failed else 0
            if stop.message:
                print(stop.message, file=sys.stderr if stop.failed else sys.stdout, flush=True)
        except WorkFailed as failure:
            code = 1
            print(f"lightwork: work {failure.work_name} failed\n{failure.error.traceback or failure.error.summary()}", file=sys.stderr, flush=True)
        except WorkStartError as exc:
            code = 1
            print(f"lightwork: {exc}", file=sys.stderr, flush=True)
        except BrokenPipeError:  # whoever read our output stopped reading (`lightwork run app.py | head`)
            code = 128 + signal.SIGPIPE
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so nothing more fails on the way out
            os.close(devnull)
        except KeyboardInterrupt:
            code = 128 + signal.SIGINT
        except Terminated:
            code = 128 + signal.SIGTERM
        except Exception:  # the flow's own code failed
            import traceback

            code = 1
            print("lightwork: the flow failed", file=sys.stderr)
            traceback.print_exc()
        finally:
            self._stopping = True  # first, and no call before it: from here a signal is noted, never raised
            self.shutdown()
        if self.signalled and code < 128:  # Ctrl+C or SIGTERM while stopping still decides the exit code
            code = 128 + self.signalled
        return code

    def _on_signal(self, signum, frame) -> None:
        """SIGINT and SIGTERM: end the app (KeyboardInterrupt, Terminated); while stopping, only noted."""
        if not self._stopping:
            raise KeyboardInterrupt if signum == signal.SIGINT else Terminated()
        self.signalled = self.signalled or signum

    def _loop(self) -> None:
        collect_at = None  # when to remove the payloads nothing refers to any more (set by a pass)
        tick = self.app._lw_watch_interval  # seconds: an app that watches the loop even while nothing changes
        tick_at = None
        while True:
            if self._requests:
                self._serve_requests()
            if self.stop_requested:
                raise AppStop("lightwork: the app was stopped through its API")
            now = time.monotonic()
            if collect_at is not None and (now >= collect_at or len(self._payloads_seen) > PAYLOAD_GC_BACKLOG):
                self._collect_payloads()
                collect_at = None
            if self._idle_until:
                self._stop_idle_works(now)
            if self._wakes and min(self._wakes) <= time.time():
                self._wakes = {t for t in self._wakes if t > time.time()}
                self.changed = True
            if self.changed:
                self.changed = False
                self._run_pass()
                self._wakes |= context.take_wakes()
                if collect_at is None:
                    collect_at = time.monotonic() + PAYLOAD_GC_INTERVAL
                tick_at = None if tick is None else time.monotonic() + tick
            elif tick_at is not None and now >= tick_at:  # a turn of the app's run_once without a pass
                self._run_pass(due=False)
                tick_at = time.monotonic() + tick
            # What arrived during the pass is applied now, together, and the next pass follows at once; an app
            # where nothing changes sleeps until a message, a request or a deadline.
            timeout = 0.0 if self.changed or self._requests else self._until_next_deadline(collect_at, tick_at)
            for name, message in self.runtime.receive(timeout):
                self._handle(name, message)

    def _until_next_deadline(self, collect_at: float | None, tick_at: float | None) -> float | None:
        """Seconds until the loop has something to do by the clock (None: nothing)."""
        now = time.monotonic()
        deadlines = [collect_at, tick_at, *self._idle_until.values()]
        if self._wakes:  # wall-clock times: looked at again at least every WAKE_RECHECK, should the clock jump
            deadlines.append(now + min(WAKE_RECHECK, min(self._wakes) - time.time()))
        deadlines = [d for d in deadlines if d is not None]
        return max(0.0, min(deadlines) - now) if deadlines else None

    def _failure(self, error: Exception) -> Exception:
        """`error` ends the app as failed: kept as `app.exception`, which MultiProcessRuntime.dispatch() raises
        again for the flow's own exceptions, as Lightning Apps let them out."""
        self.app.exception = error
        return error

    def _run_pass(self, due: bool = True) -> None:
        """Call the app's `run_once`: a pass of the root flow when `due` (something changed), else only a turn
        for an app that watches the loop (its `run_once` runs, the root flow does not); then see what changed."""
        try:
            self._turn(due)
        except Exception as error:  # the flow's (or the app's) own code failed
            raise self._failure(error)

    def _turn(self, due: bool) -> None:
        self.app._has_updated = due
        started = time.monotonic()
        try:
            if self.app.run_once():
                raise AppStop("")
        except PassAborted:
            pass
        if due:
            self._flow_timer.record(time.monotonic() - started)
        if self.app.stage in (AppStage.STOPPING, AppStage.FAILED):  # set by the app, as Lightning Apps allowed
            raise AppStop("", failed=self.app.stage is AppStage.FAILED)
        flow_vars, shape = [], []
        for component in self.root._lw_components():
            shape.append((component.name, id(component)))
            if component._lw_group == "works":
                self._adopt(component)
                self._push_flow_writes(component)
            else:
                flow_vars.append((component.name, component._lw_state_values()))
        if self._see_flow_writes(flow_vars):
            self.changed = True
        shape = tuple(shape)
        if shape != self._shape:  # components came, went or were replaced: a change, seen whole by the feed
            self._shape = shape
            self.changed = True
            if self.feed is not None:
                self.feed.replace(self.root.state)

    def _shape_of_tree(self) -> tuple:
        """Each component's name and identity, parents first: compared after each pass."""
        return tuple((c.name, id(c)) for c in self.root._lw_components())

    def _flow_values(self) -> list:
        return [(c.name, c._lw_state_values()) for c in self.root._lw_components() if c._lw_group == "flows"]

    def _see_flow_writes(self, flow_vars: list) -> bool:
        """Whether the flows' values (`_flow_values()`) differ from the last look; the feed gets what changed."""
        if same(flow_vars, self._flow_vars):
            return False
        if self.feed is not None:
            self._feed_flow_vars(flow_vars)
        self._flow_vars = flow_vars
        return True

    def _feed_flow_vars(self, flow_vars: list) -> None:
        before = dict(self._flow_vars)
        paths = None
        for name, values in flow_vars:
            if name in before and same(values, before[name]):
                continue
            if paths is None:
                paths = {c.name: c._lw_path for c in self.root._lw_components() if c._lw_group == "flows"}
            self.feed.update(paths[name] + ("vars",), to_json(values))

    def _collect_payloads(self) -> None:
        """Remove payload files that nothing in the app refers to any more."""
        if not stored_payload_ids():
            return  # nothing stored: no need to walk the app's state
        queued = [entry for w in self._all_works() for entry in w._lw_book.queued.values()]
        referenced = referenced_ids([self.root.state, list(self._in_flight_args.values()), queued])
        released = self._payloads_seen - referenced
        collect_garbage(referenced, released=released)
        self._payloads_seen -= released

    def _note_payloads(self, value) -> None:
        self._payloads_seen |= referenced_ids(value)

    def shutdown(self) -> None:
        """Stop the works and release what the app holds; once (later calls do nothing)."""
        self._stopping = True
        if self._shut_down:
            return
        self._shut_down = True
        for signum in (signal.SIGINT, signal.SIGTERM):  # SIG_IGN would lose a signal already on its way, and
            signal.signal(signum, self._on_signal)     # CPython then prints "Signal 2 ignored due to race condition"
        LightningWork._lw_backend = None
        context.set_role(None)
        self.runtime.shutdown(STOP_GRACE)  # the fork server removes the payload folder too, if we were killed
        if self._payload_dir is not None:
            self._remove_payload_dir()
        else:
            collect_garbage(set(), min_age=0)  # a folder given by LIGHTWORK_PAYLOAD_DIR is kept, emptied
            with contextlib.suppress(OSError):
                os.rmdir(spill_dir())
        if self._delta_log is not None:
            self._delta_log.close()
        for signum, handler in self._signal_handlers.items():  # this process may run more (a notebook, tests)
            signal.signal(signum, handler)

    def _remove_payload_dir(self) -> None:
        if self._payload_dir is not None:
            shutil.rmtree(self._payload_dir, ignore_errors=True)
            shutil.rmtree(spill_dir(self._payload_dir), ignore_errors=True)
            os.environ.pop(PAYLOAD_VARIABLE, None)  # a later app in this process makes its own

    # -- works ---------------------------------------------------------------------------------------------
    def _all_works(self) -> list:
        return [c for c in self.root._lw_components() if c._lw_group == "works"]

    def _adopt(self, work) -> None:
        if vars(work).get("_lw_backend") is self:
            self._works[work.name] = work  # a List edit may have given this name to another work since
            return
        object.__setattr__(work, "_lw_backend", self)
        work._lw_synced = {name: to_json(getattr(work, name)) for name in work._lw_vars}
        self._works[work.name] = work
        for kind in ("local_build_config", "cloud_build_config"):
            config = getattr(work, kind)
            if config.is_set():
                print(f"lightwork: {work.name}.{kind} ({config.describe()}) is not applied: works run in this Python, "
                      f"so install what they need first (`lightwork run --setup` installs the app's requirements.txt)", file=sys.stderr, flush=True)

    def _work(self, name: str):
        work = self._works.get(name)
        if work is None or work.name != name:
            self._works = {w.name: w for w in self._all_works()}
            work = self._works.get(name)
        return work

    def call_work(self, work, args: tuple, kwargs: dict):
        """`work.run(...)` in the flow: dispatch, wait for a blocking call, or return at once."""
        self._adopt(work)
        book = work._lw_book
        last = book.last_arguments
        if last is not None and matches(list(args), last[0]) and matches(kwargs, last[1]):
            args, kwargs, key = last  # flows repeat the same call on every pass: no encoding, no hashing
        else:
            try:
                key = call_key(args, kwargs)  # also the check that the arguments are JSON, in one C-level pass
            except (TypeError, ValueError):
                args, kwargs = _carried(work.name, args, kwargs)
                key = call_key(args, kwargs)
            args, kwargs = to_json(list(args)), to_json(kwargs)
            book.last_arguments = (args, kwargs, key)
        unconsumed, queued = book.unconsumed, len(book.queued)
        decision, key = book.request(args, kwargs, key)
        if book.unconsumed != unconsumed:
            self.changed = True
        if len(book.queued) != queued:  # a new call waits for the one in flight: its entry shows it pending
            self._feed_call(work, key)
        if decision is Decision.DISPATCH:
            self._dispatch(work, key, args, kwargs)
            if work.parallel:
                return None
        if decision is not Decision.RETURN:
            raise PassAborted()
        return None

    def _dispatch(self, work, key: str, args: list, kwargs: dict) -> None:
        """Send call `key`; `args` and `kwargs` are already encoded (storage objects as references)."""
        if work.name in self.stopping or not self.runtime.is_alive(work.name):
            self._start(work)  # first: a work whose start failed is not pending
            self.stopping.discard(work.name)
        work._lw_book.started(key)
        self._idle_until.pop(work.name, None)
        self._set_status(work, WorkStatus.PENDING)
        self.seq += 1
        state = {name: to_json(getattr(work, name)) for name in work._lw_vars}
        endpoint = [work.host, work.port]  # the port is chosen here, by the flow, unless it was read before
        if self.feed is not None:  # the flow may have written the work's vars just before calling it
            self.feed.update(work._lw_path + ("vars",), {**to_json(state), **work._lw_extra_vars()})
        work._lw_synced = dict(state)  # entries are replaced, never changed in place: no deep copy needed
        work._lw_pending = dict.fromkeys(state, self.seq)
        self._in_flight_args[work.name] = [args, kwargs]
        self._note_payloads([args, kwargs])
        self.runtime.send(work.name, Call(key, args, kwargs, state, self.seq, endpoint))
        self.changed = True

    def start_work(self, work) -> None:
        """`work.start()` in the flow: start the process before the first call; a work that had none (not
        started, stopped, or whose process died) is `started` until its next call."""
        self._adopt(work)
        if work.name in self.stopping or not self.runtime.is_alive(work.name):
            self._start(work)
            self.stopping.discard(work.name)
        if work.status.stage in (WorkStatus.NOT_STARTED, WorkStatus.STOPPED, WorkStatus.FAILED):
            self._set_status(work, WorkStatus.STARTED, of_call=False)

    def _start(self, work) -> None:
        mounts = mounts_of(work.cloud_compute)
        if mounts:
            raise AppStop(mount_refusal(work.name, mounts), failed=True)
        self.runtime.start(work)

    def stop_work(self, work, message: str = "stopped by the flow", reason: str | None = None) -> None:
        """`work.stop()` in the flow; `reason` is the stopped status's reason (a WorkStopReasons value)."""
        if self.runtime.is_alive(work.name) and work.name not in self.stopping:
            self.stopping.add(work.name)
            self.runtime.stop(work.name, STOP_GRACE)
        self._set_url(work, "")  # its server, if it ran one, is going away
        book = work._lw_book
        if book.in_flight is not None:
            book.finished_call(book.in_flight, "stopped")
            self._in_flight_args.pop(work.name, None)
        for key in book.drop_queued(message):
            self._feed_call(work, key)
        self._idle_until.pop(work.name, None)
        if work.status.stage != WorkStatus.STOPPED:
            self._set_status(work, WorkStatus.STOPPED, message, reason=reason)

    def kill_work(self, work) -> None:
        """LightningTestApp.kill_work: the work's process ends as on a SIGTERM from outside (a machine taken
        back); its status is stopped with the reason `sigterm_signal_handler`."""
        self._adopt(work)
        self.stop_work(work, "its process was killed (LightningTestApp.kill_work)", reason=WorkStopReasons.SIGTERM_SIGNAL_HANDLER)

    def restart_work(self, work) -> None:
        """LightningTestApp.restart_work: start the work's process again; a call that was killed runs again
        at the flow's next call with the same arguments."""
        self._adopt(work)
        if work.status.reason == WorkStopReasons.SIGTERM_SIGNAL_HANDLER:
            work._lw_book.forget_stopped()
        self.start_work(work)

    def _stop_idle_works(self, now: float) -> None:
        """Stop the process of each work idle for its CloudCompute idle_timeout; its next call starts it again."""
        for name, deadline in list(self._idle_until.items()):
            if deadline <= now:
                work = self._work(name)
                if work is None:
                    self._idle_until.pop(name)
                    continue
                self.stop_work(work, f"idle for {work.cloud_compute.idle_timeout:g} s (CloudCompute idle_timeout): its next call starts it again")

    def _set_status(self, work, stage: WorkStatus, message: str = "", of_call: bool = True, reason: str | None = None) -> None:
        """Set the work's status; `of_call`: it is also a status of its latest call (`work.statuses`)."""
        check_transition(work.status.stage, stage)
        work._lw_status = StatusInfo(stage, message, reason=reason)
        book = work._lw_book
        if of_call:
            book.note(work._lw_status)
        self.changed = True
        if self.feed is not None:
            self.feed.update(work._lw_path + ("status",), work._lw_status_state())
            if book.latest is not None:  # the latest call's entry only: the others did not change
                self.feed.update(work._lw_path + ("calls", LATEST_CALL), book.latest)
                self._feed_call(work, book.latest)

    def _feed_call(self, work, key: str) -> None:
        """Tell observers of the entry of call `key` in the work's `calls`."""
        if self.feed is not None:
            self.feed.update(work._lw_path + ("calls", key), call_entry(work._lw_book.history[key]))

    def _push_flow_writes(self, work) -> None:
        """Send what the flow changed in a work's state since the last sync (in place changes included)."""
        synced = work._lw_synced
        changes: dict = {}
        written = []
        for name in work._lw_vars:
            value = getattr(work, name)
            if name in synced and matches(value, synced[name]):
                continue
            check_keys(type(work).__name__, name, value)  # an in-place write by the flow is checked here
            value = to_json(value)
            diff(synced.get(name), value, work._lw_path + ("vars", name), changes)
            synced[name] = value
            written.append(name)
        if not written:
            return
        self.changed = True
        if self.feed is not None:
            self.feed.publish(copied(changes))
        if self.runtime.is_alive(work.name) and work.name not in self.stopping:
            self.seq += 1
            work._lw_pending.update(dict.fromkeys(written, self.seq))
            self.runtime.send(work.name, Update(self.seq, wire(changes)))  # else the next Call carries the state

    # -- messages from works -------------------------------------------------------------------------------
    def _handle(self, name: str, message) -> None:
        work = self._work(name)
        if work is None:
            return
        if isinstance(message, Exited):
            self._on_exit(work, message)
            return
        if isinstance(message, Placed):  # the work's internal_ip is its machine's address now
            self.changed = True
            if self.feed is not None:
                self.feed.update(work._lw_path + ("vars", "_internal_ip"), work.internal_ip)
            return
        pending = work._lw_pending
        for attr in [a for a, seq in pending.items() if seq <= message.ack]:
            del pending[attr]
        if isinstance(message, Delta):
            if self._delta_log is not None and message.delta:
                self._delta_log.write(json.dumps({"work": name, "delta": public(message.delta)}) + "\n")
            self._note_payloads(message.delta)
            self._apply_delta(work, message.delta)
        elif isinstance(message, Status):
            self._on_status(work, message)
        elif isinstance(message, Serving):
            self._set_url(work, message.url)

    def _set_url(self, work, url: str) -> None:
        if work._url != url:
            work._url = url
            self.changed = True
            if self.feed is not None:
                self.feed.update(work._lw_path + ("vars", "_url"), url)

    def _apply_delta(self, work, delta: dict) -> None:
        prefix = work._lw_path + ("vars",)
        top = len(prefix)
        view, synced = _VarsView(work), work._lw_synced
        observed = {} if self.feed is not None else None
        for kind, path, value in iter_changes(delta):
            if path[:top] != prefix or len(path) == top or path[top] not in synced:
                continue  # a work may only change its own state
            if path[top] in work._lw_pending:
                continue  # the flow wrote it since: the work has not seen that write yet
            # The decoded value is the JSON copy; the object gets a rebuilt one, so the two share nothing.
            apply_change(view, kind, path[top:], from_json(value))
            if observed is not None:  # copied first: the synced copy changes in place later
                entry = {"new_value": to_json(value)} if kind in ("values_changed", "type_changes") else to_json(value)
                observed.setdefault(kind, {})[path] = entry
            apply_change(synced, kind, path[top:], value)
            self.changed = True
        if observed:
            self.feed.publish(observed)

    def _on_status(self, work, status: Status) -> None:
        book = work._lw_book
        if status.call_id != book.in_flight:
            return
        stage = WorkStatus(status.stage)
        if stage == WorkStatus.RUNNING:
            self._set_status(work, stage)
            return
        book.finished_call(status.call_id, stage.value)
        self._in_flight_args.pop(work.name, None)
        if stage == WorkStatus.SUCCEEDED:
            work._lw_num_successes += 1
        self._set_status(work, stage, status.message)
        if stage == WorkStatus.FAILED:
            error = status.error or ErrorInfo("WorkError", status.message)
            if work.raise_exception:
                raise self._failure(WorkFailed(work.name, error))
            _report_failure(work, error.traceback or error.summary())
        queued = book.next_queued()
        if queued is not None:
            self._dispatch(work, *queued)
        elif getattr(work.cloud_compute, "idle_timeout", None) is not None:
            self._idle_until[work.name] = time.monotonic() + work.cloud_compute.idle_timeout

    def _on_exit(self, work, exited: Exited) -> None:
        self.stopping.discard(work.name)
        self.changed = True  # the process is gone: a flow may wait for that
        self._set_url(work, "")  # its server, if it ran one, is gone
        if work.status.stage not in (WorkStatus.STARTED, WorkStatus.PENDING, WorkStatus.RUNNING):
            return
        book = work._lw_book
        if book.in_flight is not None:
            book.finished_call(book.in_flight, "failed")
            self._in_flight_args.pop(work.name, None)
        message = exited.reason or f"the work's process exited unexpectedly (exit code {exited.returncode})"
        self._set_status(work, WorkStatus.FAILED, message)
        if work.raise_exception:
            raise self._failure(WorkFailed(work.name, ErrorInfo("WorkProcessExited", message)))
        _report_failure(work, message)


def _carried(work_name: str, args: tuple, kwargs: dict) -> tuple:
    """The call's arguments with each value that is not JSON as an argument payload (pickled, as Lightning Apps sent
    every argument); TypeError naming the argument when one cannot be pickled."""

    def carried(label: str, value):
        try:
            call_key([value], {})
            return value
        except (TypeError, ValueError):
            try:
                return argument_payload(value)
            except TypeError as exc:
                raise TypeError(f"{work_name}.run.{label} = {exc}: call arguments must be JSON values, storage objects or picklable") from None

    return [carried(f"<argument {i}>", v) for i, v in enumerate(args)], {k: carried(k, v) for k, v in kwargs.items()}


def _report_failure(work, detail: str) -> None:
    """A work with raise_exception=False failed: say so once, as Lightning Apps' log did; the app goes on."""
    print(f"lightwork: work {work.name} failed (raise_exception=False: the app goes on)\n{detail.rstrip()}", file=sys.stderr, flush=True)


class _VarsView:
    """A work's state attributes seen as a mapping, so deltas apply to the object itself."""

    def __init__(self, work) -> None:
        self._work = work

    def __getitem__(self, name):
        return getattr(self._work, name)

    def __setitem__(self, name, value) -> None:
        object.__setattr__(self._work, name, value)

    def __delitem__(self, name) -> None:
        raise ValueError(f"a delta cannot remove the state attribute {name!r}")


def run_app(app) -> int:
    """Run `app` with the process runtime; return the exit code."""
    return AppLoop(app).run()
