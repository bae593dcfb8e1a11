"""The loop's rules, deterministically: an in-memory runtime records what the loop sends and feeds it replies."""
import json
import os
import signal
import warnings

import pytest

import lightwork as L
from lightwork.core.delta import public
from lightwork.runtime.protocol import Delta, Status


class Recorder(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.value = 0

    def run(self, *args, **kwargs):
        pass


class OneWork(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Recorder()

    def run(self):
        self.w.run()


def finish(loop, name, call):
    loop.runtime.reply(name, Status(call.call_id, "running", call.seq))
    loop.runtime.reply(name, Status(call.call_id, "succeeded", call.seq))
    for work_name, message in loop.runtime.receive(0):
        loop._handle(work_name, message)


def test_calls_that_differ_only_in_json_types_are_distinct_cached_calls(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()
            self.argument = 1

        def run(self):
            self.w.run(self.argument)

    root = F()
    loop = loop_of(root)
    for argument in (1, True, 1.0, 1):
        root.argument = argument
        loop._run_pass()
        calls = loop.runtime.calls()
        if calls and loop.root.w._lw_book.in_flight:
            finish(loop, "root.w", calls[-1])
    assert [c.args for c in loop.runtime.calls()] == [[1], [True], [1.0]]


def test_an_argument_changed_in_place_is_a_new_call(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()
            self._items = [1]

        def run(self):
            self.w.run(self._items)

    root = F()
    loop = loop_of(root)
    loop._run_pass()
    finish(loop, "root.w", loop.runtime.calls()[-1])
    loop._run_pass()
    root._items.append(2)
    loop._run_pass()
    assert [c.args for c in loop.runtime.calls()] == [[[1]], [[1, 2]]]


def test_a_work_made_during_a_pass_is_dispatched_to_the_runtime_not_run_in_the_flow(loop_of):
    ran_here = []

    class Late(L.LightningWork):
        def run(self):
            ran_here.append(True)

    class F(L.LightningFlow):
        def run(self):
            if not hasattr(self, "late"):
                self.late = Late()
            self.late.run()

    loop = loop_of(F())
    loop._run_pass()
    assert ran_here == []
    assert loop.runtime.started == ["root.late"] and len(loop.runtime.calls("root.late")) == 1
    assert loop.root.late.is_pending


def test_a_delta_is_applied_to_the_work_and_its_synced_copy_without_sharing(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()
            self.w.value = {"a": [1]}

        def run(self):
            self.w.run()

    root = F()
    loop = loop_of(root)
    loop._run_pass()
    call = loop.runtime.calls()[-1]
    path = "root['works']['w']['vars']['value']"
    loop._handle("root.w", Delta(call.seq, {"dictionary_item_added": {f"{path}['b']": [2]}}))
    loop._handle("root.w", Delta(call.seq, {"iterable_item_added": {f"{path}['a'][1]": 5}}))
    assert root.w.value == {"a": [1, 5], "b": [2]}
    assert root.w._lw_synced["value"] == {"a": [1, 5], "b": [2]}
    assert root.w.value["b"] is not root.w._lw_synced["value"]["b"]
    sent = len(loop.runtime.sent)
    loop._run_pass()  # nothing written by the flow: nothing goes back to the work
    assert loop.runtime.sent[sent:] == []
    root.w.value["b"].append(3)  # an in-place write by the flow is noticed and sent
    loop._run_pass()
    assert [public(m.delta) for _, m in loop.runtime.sent[sent:]] == [{"iterable_item_added": {f"{path}['b'][1]": 3}}]


def test_shutdown_leaves_this_process_as_it_found_it(loop_of):
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    loop = loop_of(OneWork())
    loop.shutdown()
    assert {signum: signal.getsignal(signum) for signum in handlers} == handlers
    assert L.LightningWork._lw_backend is None
    assert "LIGHTWORK_PAYLOAD_DIR" not in os.environ


def test_state_the_first_pass_changes_causes_another_pass_at_once(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.step = 0

        def run(self):
            self.step = 1

    loop = loop_of(F())
    loop.changed = False
    loop._run_pass()
    assert loop.changed  # not left to the once-a-second heartbeat
    loop.changed = False
    loop._run_pass()
    assert not loop.changed


def test_the_last_deltas_of_a_stopping_work_are_applied(loop_of):
    root = OneWork()
    loop = loop_of(root)
    loop._run_pass()
    call = loop.runtime.calls()[-1]
    root.w.stop()
    loop._handle("root.w", Delta(call.seq, {"values_changed": {"root['works']['w']['vars']['value']": {"new_value": 7}}}))
    loop._handle("root.w", Status(call.call_id, "stopped", call.seq))
    assert root.w.value == 7 and root.w.has_stopped


def test_a_work_whose_start_failed_is_not_pending(loop_of):
    root = OneWork()
    loop = loop_of(root)

    def refuse(work):
        raise OSError("no more processes")

    loop.runtime.start = refuse
    with pytest.raises(OSError):
        loop._run_pass()
    assert root.w.status.stage == "not_started" and root.w._lw_book.in_flight is None


def test_a_work_popped_from_a_list_is_stopped_and_its_name_can_be_reused(loop_of):
    from lightwork.structures import List

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.pool = List(Recorder(), Recorder())

        def run(self):
            for w in self.pool:
                w.run()

    root = F()
    loop = loop_of(root)
    loop._run_pass()
    old = root.pool.pop()
    assert old.has_stopped and "root.pool.1" not in loop.runtime.alive
    root.pool.append(Recorder())
    loop._run_pass()
    assert [w.name for w in root.pool] == ["root.pool.0", "root.pool.1"]
    assert loop.runtime.started == ["root.pool.0", "root.pool.1", "root.pool.1"]
    with pytest.raises(ValueError, match="which has started"):
        del root.pool[0]


def test_the_flow_keeps_its_write_until_the_work_has_applied_it(loop_of):
    root = OneWork()
    loop = loop_of(root)
    loop._run_pass()
    call = loop.runtime.calls()[-1]
    path = "root['works']['w']['vars']['value']"
    root.w.value = 5  # the flow writes while the work runs
    loop._run_pass()
    update = loop.runtime.sent[-1][1]
    assert update.seq > call.seq and public(update.delta) == {"values_changed": {path: {"new_value": 5}}}
    # The work wrote 3 before it applied the flow's write (its ack is older): the flow keeps showing 5.
    loop._handle("root.w", Delta(call.seq, {"values_changed": {path: {"new_value": 3}}}))
    assert root.w.value == 5
    # Once the work has applied it, the work's later writes win again.
    loop._handle("root.w", Delta(update.seq, {"values_changed": {path: {"new_value": 7}}}))
    assert root.w.value == 7


class _Idle(Exception):
    """The loop asked to sleep until something happens: nothing is left to do."""


def _run_until_idle(loop, limit=20):
    """Run the loop's own `_loop` until it would sleep with no deadline; return the timeouts it waited with."""
    import time

    timeouts = []
    receive = loop.runtime.receive

    def recording(timeout):
        timeouts.append(timeout)
        if timeout is None or len(timeouts) >= limit:
            raise _Idle()
        if timeout and not loop.runtime.inbox:
            time.sleep(timeout)  # as a real runtime would wait
        return receive(timeout)

    loop.runtime.receive = recording
    try:
        with pytest.raises(_Idle):
            loop._loop()
    finally:
        loop.runtime.receive = receive
    return timeouts


def test_a_pass_that_changed_state_is_followed_at_once_however_long_it_took(loop_of):
    import time

    class Slow(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.passes = 0

        def run(self):
            time.sleep(0.05)  # the loop once idled three times a pass's length before the next one
            if self.passes < 3:
                self.passes += 1

    root = Slow()
    timeouts = _run_until_idle(loop_of(root))
    assert root.passes == 3
    assert timeouts[:3] == [0.0, 0.0, 0.0]  # after each changing pass: no wait before the next


def test_an_app_where_nothing_changes_makes_no_more_passes(loop_of):
    passes = []

    class Quiet(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()

        def run(self):
            passes.append(1)
            self.w.run()

    loop = loop_of(Quiet())
    timeouts = _run_until_idle(loop)
    # The first pass dispatches the call (a change), the second sees nothing new; then it sleeps, no heartbeat.
    assert len(passes) == 2
    assert timeouts[-1] is None


def test_messages_that_arrive_during_a_pass_make_one_more_pass_together(loop_of):
    passes = []

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()

        def run(self):
            passes.append(self.w.value)
            self.w.run()
            if self.w.value == 0 and len(passes) == 2:
                path = "root['works']['w']['vars']['value']"
                call = loop.runtime.calls()[-1]
                for value in (1, 2, 3):  # three deltas arrive while this pass runs
                    loop.runtime.reply("root.w", Delta(call.seq, {"values_changed": {path: {"new_value": value}}}))

    loop = loop_of(F())
    _run_until_idle(loop)
    assert passes == [0, 0, 3]


def test_a_schedule_wakes_a_quiet_app_at_its_due_time(loop_of):
    passes, ticks = [], []

    class Ticking(L.LightningFlow):
        def run(self):
            passes.append(1)
            if self.schedule("* * * * * */2"):  # croniter's sixth field: every two seconds
                ticks.append(1)

    timeouts = _run_until_idle(loop_of(Ticking()), limit=4)
    assert len(ticks) >= 2 and len(passes) == len(ticks)  # woken for each due time, and only then
    assert all(t is not None and t <= 2.0 for t in timeouts)  # it waits for the time, never forever


def test_a_component_added_or_replaced_by_a_pass_makes_another_pass(loop_of):
    from lightwork.structures import Dict

    passes = []

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.dyn = Dict()

        def run(self):
            passes.append(sorted(self.dyn))
            for work in self.dyn.values():
                work.run()
            if len(passes) == 1:
                self.dyn["a"] = Recorder()  # after the calls: only a later pass can run it
            elif len(passes) == 3:
                self.dyn["a"] = Recorder()  # the same name, another work

    loop = loop_of(F())
    _run_until_idle(loop)
    assert passes == [[], ["a"], ["a"], ["a"], ["a"]]
    assert loop.runtime.started == ["root.dyn.a", "root.dyn.a"]


def test_experimental_iterate_goes_on_at_the_item_a_blocking_call_stopped_on(loop_of):
    class Blocking(L.LightningWork):
        def run(self, item):
            pass

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Blocking()
            self.handed_out = []

        def run(self):
            for item in self.experimental_iterate(range(3)):
                self.handed_out.append(item)
                self.w.run(item)  # blocking: the pass stops here until the call ends

    root = F()
    loop = loop_of(root)
    for _ in range(3):
        loop._run_pass()
        finish(loop, "root.w", loop.runtime.calls("root.w")[-1])
    loop._run_pass()
    loop._run_pass()
    assert [c.args for c in loop.runtime.calls("root.w")] == [[0], [1], [2]]
    assert root.handed_out == [0, 0, 1, 1, 2, 2]  # the item a pass stopped on comes again, the others never
    (record,) = root.state["calls"].values()
    assert record["has_finished"] and record["counter"] == 2


def test_a_work_assigned_where_init_set_none_is_started_and_shown_in_the_state(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = None

        def run(self):
            if self.w is None:
                self.w = Recorder()
            self.w.run()

    root = F()
    loop = loop_of(root)
    feed = loop.observe()
    loop._run_pass()
    assert loop.runtime.started == ["root.w"] and len(loop.runtime.calls("root.w")) == 1
    assert "w" not in root.state["vars"] and "w" in root.state["works"]
    assert loop.changed
    assert json.loads(feed.snapshot()[1]) == json.loads(json.dumps(root.state))  # what the UI and state API see


def test_deleting_a_work_stops_it(loop_of):
    root = OneWork()
    loop = loop_of(root)
    loop._run_pass()
    root.w.delete()
    assert root.w.has_stopped and "root.w" not in loop.runtime.alive


def test_start_starts_the_process_and_the_status_is_started_until_a_call(loop_of):
    from lightwork.utilities.enum import WorkStageStatus

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()

        def run(self):
            pass

    root = F()
    loop = loop_of(root)
    root.w.start()
    assert root.w.status.stage == WorkStageStatus.STARTED and root.w.has_started and root.w.statuses == []
    assert loop.runtime.started == ["root.w"]
    root.w.start()  # already started: nothing more
    assert loop.runtime.started == ["root.w"]
    root.w.run()
    assert root.w.is_pending and loop.runtime.started == ["root.w"]
    root.w.stop()
    root.w.start()  # a stopped work starts again
    assert root.w.status.stage == "started" and loop.runtime.started == ["root.w", "root.w"]
    assert [s.stage for s in root.w.statuses] == ["pending", "stopped"]


def test_a_call_waiting_for_the_one_in_flight_shows_pending_in_the_calls_until_it_runs_or_is_stopped(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Recorder()

        def run(self):
            self.w.run(1)
            self.w.run(2)  # parallel: queued behind the first

    root = F()
    loop = loop_of(root)
    loop._run_pass()
    calls = root.w.state["calls"]
    first, second = [k for k in calls if k != "latest_call_hash"]
    assert calls["latest_call_hash"] == first
    assert [s["stage"] for s in calls[second]["statuses"]] == ["pending"]  # how components tell a busy work
    finish(loop, "root.w", loop.runtime.calls()[-1])
    calls = root.w.state["calls"]
    assert calls["latest_call_hash"] == second and [s["stage"] for s in calls[first]["statuses"]][-1] == "succeeded"
    loop._run_pass()
    root.w.run(3)  # queued behind the second, then the work is stopped
    root.w.stop()
    third = [k for k in root.w.state["calls"] if k not in ("latest_call_hash", first, second)][0]
    assert [s["stage"] for s in root.w.state["calls"][third]["statuses"]] == ["pending", "stopped"]


def test_a_test_apps_hooks_come_round_while_nothing_changes_without_running_the_flow():
    from lightwork.app.loop import AppLoop
    from lightwork.testing import LightningTestApp

    from .conftest import MemoryRuntime

    passes = []

    class Quiet(L.LightningFlow):
        def run(self):
            passes.append(1)

    class ThreeTicks(LightningTestApp):
        def on_after_run_once(self):
            super().on_after_run_once()
            return True if self.counter == 3 else None

    loop = AppLoop(ThreeTicks(Quiet()), runtime_factory=MemoryRuntime)
    try:
        assert loop.run() == 0
    finally:
        loop.shutdown()
    assert passes == [1] and loop.app.counter == 3


def test_an_app_overriding_run_once_comes_round_while_nothing_changes_and_the_flow_runs_only_on_passes():
    """As Lightning Apps' loop: `run_once` at every turn, `_has_updated` True only when a pass is due."""
    from lightwork.app.loop import AppLoop

    from .conftest import MemoryRuntime

    passes, turns = [], []

    class Quiet(L.LightningFlow):
        def run(self):
            passes.append(1)

    class Watching(L.LightningApp):
        def run_once(self):
            turns.append(self._has_updated)
            super().run_once()
            return len(turns) == 4

    loop = AppLoop(Watching(Quiet()), runtime_factory=MemoryRuntime)
    try:
        assert loop.run() == 0
    finally:
        loop.shutdown()
    assert passes == [1] and turns == [True, False, False, False]


@pytest.mark.parametrize(("stage", "code"), [("STOPPING", 0), ("FAILED", 1)])
def test_an_app_that_sets_its_stage_to_stopping_or_failed_ends(stage, code):
    from lightwork.app.loop import AppLoop
    from lightwork.utilities.enum import AppStage

    from .conftest import MemoryRuntime

    class Ends(L.LightningApp):
        def run_once(self):
            self.stage = AppStage[stage]
            return super().run_once()

    loop = AppLoop(Ends(OneWork()), runtime_factory=MemoryRuntime)
    try:
        assert loop.run() == code
    finally:
        loop.shutdown()


def test_a_slow_root_flow_is_warned_about_once(loop_of, monkeypatch):
    from lightwork.utilities import constants
    from lightwork.utilities.warnings import LightningFlowWarning

    monkeypatch.setattr(constants, "FLOW_DURATION_THRESHOLD", -1.0)  # any pass is "too long"
    loop = loop_of(OneWork())
    with pytest.warns(LightningFlowWarning, match="move long computations"):
        loop._run_pass()
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        loop._run_pass()
    assert later == []


def test_a_killed_work_is_stopped_with_the_sigterm_reason_and_a_restart_runs_its_call_again():
    from lightwork.app.loop import AppLoop
    from lightwork.testing import LightningTestApp
    from lightwork.utilities.enum import WorkStopReasons

    from .conftest import MemoryRuntime

    class Blocking(L.LightningWork):
        def run(self):
            pass

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Blocking()

        def run(self):
            self.w.run()

    app = LightningTestApp(F())
    loop = AppLoop(app, runtime_factory=MemoryRuntime)
    try:
        loop._run_pass()
        assert loop.runtime.alive == {"root.w"} and len(loop.runtime.calls("root.w")) == 1
        app.kill_work("root.w")
        status = app.root.w.status
        assert status.stage == "stopped" and status.reason == WorkStopReasons.SIGTERM_SIGNAL_HANDLER
        assert app.root.w.state["status"]["reason"] == "sigterm_signal_handler"
        assert loop.runtime.alive == set()
        loop._run_pass()  # the killed call is done as far as the flow knows: not sent again
        assert len(loop.runtime.calls("root.w")) == 1
        app.restart_work("root.w")
        assert loop.runtime.alive == {"root.w"} and app.root.w.status.stage == "started"
        loop._run_pass()
        assert len(loop.runtime.calls("root.w")) == 2 and app.root.w.is_pending
        with pytest.raises(ValueError, match="root is a F, not a LightningWork"):
            app.kill_work("root")
    finally:
        loop.shutdown()
    with pytest.raises(RuntimeError, match="the app is not running"):
        app.kill_work("root.w")


def test_a_request_whose_handler_changed_state_and_then_raised_still_causes_a_pass(loop_of):
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.counter = 0

        def run(self):
            pass

        def handler(self):
            self.counter += 1
            raise ValueError("refused, after counting")

    root = F()
    loop = loop_of(root)
    loop._run_pass()
    loop.changed = False
    answer = loop.submit(root.handler)
    loop._serve_requests()
    assert isinstance(answer.exception(), ValueError) and root.counter == 1
    assert loop.changed  # the flow sees the count in its next pass, as with a handler that returns


class Items(L.LightningFlow):
    """A flow with one list; `_passes` records the list as each pass saw it."""

    def __init__(self):
        super().__init__()
        self.items = []
        self._passes = []

    def run(self):
        self._passes.append(list(self.items))


def test_a_request_that_changes_the_flow_makes_one_pass_and_a_refused_delta_none(loop_of):
    from lightwork.app.steer import Refused, apply_external_delta

    root = Items()
    passes = root._passes
    loop = loop_of(root)
    _run_until_idle(loop)
    assert passes == [[]]
    loop.submit(lambda: root.items.append("a"))  # as a configure_api handler or an AppState client would
    _run_until_idle(loop)
    assert passes == [[], ["a"]]  # the request's write is not taken for the pass's own
    refused = loop.submit(lambda: apply_external_delta(root, {"values_changed": {"root['vars']['nope']": {"new_value": 1}}}))
    _run_until_idle(loop)
    assert isinstance(refused.exception(), Refused)
    assert passes == [[], ["a"]]  # nothing changed: no pass


def test_a_request_that_only_reads_makes_no_pass_unless_the_flows_changed(loop_of):
    root = Items()
    passes = root._passes
    loop = loop_of(root)
    _run_until_idle(loop)
    looked = loop.submit(lambda: list(root.items), reads=True)  # the layout, the statuses, the spec
    _run_until_idle(loop)
    assert looked.result() == [] and passes == [[]]
    loop.submit(lambda: root.items.append("a"), reads=True)  # a read that wrote after all (a layout with side effects)
    _run_until_idle(loop)
    assert passes == [[], ["a"]]
