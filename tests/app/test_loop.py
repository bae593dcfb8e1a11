"""The event loop's semantics, each through a real `lightwork run` process."""
import json
import signal
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_readme_counter_example_prints_the_final_count_and_exits_0(lightwork):
    run = lightwork(["run", str(EXAMPLES / "counter" / "app.py")])
    assert run.wait() == 0, run.stderr
    counts = [int(line) for line in run.stdout_lines if line.isdigit()]
    assert counts[-1] == 10_000_000
    assert counts == sorted(counts) and len(set(counts)) > 2  # the flow saw progress, not just the end
    assert run.stdout_lines[-1] == "done"


def test_work_deltas_use_deepdiff_paths_including_in_place_changes(lightwork, tmp_path):
    log = tmp_path / "deltas.jsonl"
    run = lightwork(
        """
        import time
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.counter = 0
                self.items = [1]
                self.table = {"a": 1}
            def run(self):
                self.counter = 425
                time.sleep(0.2)
                self.items.append(2)
                time.sleep(0.2)
                self.table["b"] = {"deep": [1]}
                time.sleep(0.2)
                self.table["b"]["deep"][0] = 5

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()
                if self.w.has_succeeded:
                    print("final", self.w.counter, self.w.items, self.w.table)
                    self.stop()

        app = L.LightningApp(F())
        """,
        env={"LIGHTWORK_DELTA_LOG": str(log)},
    )
    assert run.wait() == 0, run.stderr
    assert "final 425 [1, 2] {'a': 1, 'b': {'deep': [5]}}" in run.stdout
    deltas = [json.loads(line)["delta"] for line in log.read_text().splitlines()]
    prefix = "root['works']['w']['vars']"
    assert {"values_changed": {f"{prefix}['counter']": {"new_value": 425}}} in deltas
    assert {"iterable_item_added": {f"{prefix}['items'][1]": 2}} in deltas
    assert {"dictionary_item_added": {f"{prefix}['table']['b']": {"deep": [1]}}} in deltas
    assert {"values_changed": {f"{prefix}['table']['b']['deep'][0]": {"new_value": 5}}} in deltas


def test_flow_writes_reach_a_running_work(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class Echo(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.command = 0
                self.echo = 0
                self.numbers = []
            def run(self):
                while True:
                    self.echo = self.command * 10 + len(self.numbers)
                    time.sleep(0.005)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Echo()
                self.sent = 0
            def run(self):
                self.w.run()
                if self.w.echo == self.sent * 10 + self.sent:
                    print("work saw", self.sent)
                    if self.sent == 5:
                        self.stop("all seen")
                    self.sent += 1
                    self.w.command = self.sent
                    self.w.numbers.append(self.sent)  # in place, no setattr

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert [line for line in run.stdout_lines if line.startswith("work saw")] == [f"work saw {i}" for i in range(6)]


def test_the_flow_keeps_its_own_write_until_the_work_has_applied_it(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class Busy(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.mode = "old"
                self.ticks = 0
                self.seen = ""
            def run(self):
                while True:
                    self.ticks += 1
                    self.seen = self.mode

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Busy()
                self.wrote = False
            def run(self):
                self.w.run()
                if self.wrote and self.w.mode != "new":
                    print("REVERTED", self.w.mode)
                if not self.wrote and self.w.ticks > 1000:
                    self.w.mode = "new"
                    self.wrote = True
                if self.w.seen == "new":
                    self.stop("applied")

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "REVERTED" not in run.stdout and "applied" in run.stdout


def test_a_blocking_call_holds_the_flow_until_it_finishes(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class Slow(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.done = False
            def run(self):
                time.sleep(0.3)
                self.done = True

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Slow()
            def run(self):
                self.w.run()
                print("past the call", self.w.done, self.w.status.stage)
                self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["past the call True succeeded"]


def test_cached_calls_run_once_per_distinct_arguments(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class Adder(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.runs = []
            def run(self, n, scale=1):
                self.runs = self.runs + [n * scale]

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Adder()
                self.passes = 0
            def run(self):
                self.passes += 1
                self.w.run(1)
                self.w.run(1)
                self.w.run(2, scale=10)
                self.w.run(1)
                if self.passes > 10:
                    print("runs", self.w.runs, self.w.num_successes)
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "runs [1, 20] 2" in run.stdout


def test_status_goes_through_pending_running_succeeded_with_timestamps(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
            def run(self):
                time.sleep(0.3)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
                self.stages = []
                self.times = []
            def record(self):
                stage = str(self.w.status.stage)
                if not self.stages or self.stages[-1] != stage:
                    self.stages.append(stage)
                    self.times.append(self.w.status.timestamp)
            def run(self):
                self.record()
                self.w.run()
                self.record()  # a dispatch makes the work pending at once
                if self.w.has_succeeded:
                    print(self.stages, self.times == sorted(self.times), self.w.has_started, self.w.is_running)
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "['not_started', 'pending', 'running', 'succeeded'] True True False" in run.stdout


def test_work_exception_with_raise_exception_false_is_seen_by_the_flow(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class Bad(L.LightningWork):
            def __init__(self):
                super().__init__(raise_exception=False)
            def run(self):
                raise ValueError("boom in work")

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Bad()
            def run(self):
                self.w.run()
                print("failed:", self.w.has_failed, self.w.status.message)
                self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["failed: True ValueError: boom in work"]


def test_work_exception_stops_the_app_with_the_work_traceback(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class Bad(L.LightningWork):
            def run(self):
                helper = {}
                helper["missing"]

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Bad()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "work root.w failed" in run.stderr
    assert 'helper["missing"]' in run.stderr and "KeyError: 'missing'" in run.stderr
    assert "lightwork/runtime" not in run.stderr  # the user's frames, not ours


def test_work_sets_an_attribute_not_defined_in_init(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.counter = 0
            def run(self):
                while True:
                    self.counter += 1
                    if self.counter == 1000:
                        self.countr = 1

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "AttributeError: W.countr was not defined in __init__" in run.stderr


def test_work_sets_a_non_json_value_even_while_blocked(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__(raise_exception=False)
                self.value = None
            def run(self):
                try:
                    self.value = {1, 2}
                    time.sleep(60)
                except TypeError as exc:
                    print("caught in run:", exc)
                    raise

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()
                if self.w.has_failed:
                    self.fail("work failed: " + self.w.status.message)

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "caught in run: W.value = set value: state values must be JSON-serialisable" in run.stdout
    assert "work failed: StateValueError: W.value = set value" in run.stderr  # a TypeError and an AttributeError


def test_flow_setting_undefined_attribute_fails_the_app(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class F(L.LightningFlow):
            def run(self):
                self.later = 1

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "AttributeError: F.later was not defined in __init__" in run.stderr


def test_non_json_call_argument_is_refused(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class W(L.LightningWork):
            def run(self, x):
                pass

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run(x=(i for i in range(3)))

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "TypeError: root.w.run.x = generator value cannot be pickled" in run.stderr
    assert "call arguments must be JSON values, storage objects or picklable" in run.stderr


def test_picklable_call_arguments_reach_the_work_as_values_and_repeat_calls_are_cached(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.seen = ""
                self.runs = 0

            def run(self, data, *, shape):
                self.runs += 1
                self.seen = f"{type(data).__name__} {data!r} {shape}"

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
                self.passes = 0

            def run(self):
                self.passes += 1
                self.w.run(b"it is not a pickle", shape={1, 2})  # as Lightning Apps pickled them: bytes, a set
                if self.w.has_succeeded and self.passes > 5:
                    print(self.w.seen, "runs", self.w.runs)
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines == ["bytes b'it is not a pickle' {1, 2} runs 1"]


def test_work_stop_ends_its_process_and_marks_it_stopped(lightwork):
    run = lightwork(
        """
        import os, time
        import lightwork as L

        class Forever(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.pid = 0
            def run(self):
                self.pid = os.getpid()
                while True:
                    time.sleep(0.01)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Forever()
                self.stopped_pid = 0
            def run(self):
                self.w.run()
                if self.w.pid and not self.stopped_pid:
                    self.stopped_pid = self.w.pid
                    self.w.stop()
                if self.stopped_pid and self.w.has_stopped:
                    try:
                        os.kill(self.stopped_pid, 0)
                    except ProcessLookupError:
                        print("stopped and gone", self.w.status.stage)
                        self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "stopped and gone stopped" in run.stdout


def test_flow_fail_exits_1_and_stop_exits_0(lightwork):
    failing = lightwork(
        """
        import lightwork as L

        class F(L.LightningFlow):
            def run(self):
                self.fail("something is wrong")

        app = L.LightningApp(F())
        """,
        name="fail.py",
    )
    stopping = lightwork(
        """
        import lightwork as L

        class F(L.LightningFlow):
            def run(self):
                self.stop("all good")

        app = L.LightningApp(F())
        """,
        name="stop.py",
    )
    assert failing.wait() == 1 and "something is wrong" in failing.stderr
    assert stopping.wait() == 0 and stopping.stdout_lines == ["all good"]


def test_flow_exception_fails_the_app_with_its_traceback(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class F(L.LightningFlow):
            def run(self):
                1 / 0

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "ZeroDivisionError" in run.stderr and "1 / 0" in run.stderr


def test_work_output_arrives_line_by_line_in_order_with_its_name(lightwork):
    run = lightwork(
        """
        import sys
        import lightwork as L

        class Talker(L.LightningWork):
            def __init__(self, tag):
                super().__init__(parallel=True)
                self.tag = tag
            def run(self):
                for i in range(300):
                    print(f"{self.tag} line {i}")
                print("to stderr", file=sys.stderr)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.a = Talker("a")
                self.b = Talker("b")
            def run(self):
                self.a.run()
                self.b.run()
                if self.a.has_succeeded and self.b.has_succeeded:
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    for tag in "ab":
        lines = [line for line in run.stdout_lines if line.startswith(f"root.{tag} | ")]
        assert lines == [f"root.{tag} | {tag} line {i}" for i in range(300)]
    assert "root.a | to stderr" in run.stderr_lines


def test_structures_and_works_created_while_running(lightwork):
    run = lightwork(
        """
        import lightwork as L
        from lightwork.structures import Dict, List

        class Square(L.LightningWork):
            def __init__(self, n):
                super().__init__(parallel=True)
                self.n = n
                self.result = None
                self.pid = 0
                self.calls = 0
            def run(self):
                import os
                self.pid, self.calls = os.getpid(), self.calls + 1
                self.result = self.n * self.n

        class Inner(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Square(7)
            def run(self):
                self.w.run()

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.fixed = List(Square(2), Square(3))
                self.inner = Inner()
                self.dynamic = Dict()
            def run(self):
                self.inner.run()
                for w in self.fixed:
                    w.run()
                if "x" not in self.dynamic:
                    self.dynamic["x"] = Square(5)
                self.dynamic["x"].run()
                works = self.works()
                if all(w.has_succeeded for w in works):
                    print(sorted((w.name, w.result) for w in works))
                    import os
                    print("own processes", all(w.pid not in (0, os.getpid()) for w in works))
                    print("each ran once", [w.calls for w in works], [w.num_successes for w in works])
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "[('root.dynamic.x', 25), ('root.fixed.0', 4), ('root.fixed.1', 9), ('root.inner.w', 49)]" in run.stdout
    assert "own processes True" in run.stdout and "each ran once [1, 1, 1, 1] [1, 1, 1, 1]" in run.stdout


def test_start_queued_calls_and_uncached_parallel_calls(lightwork):
    run = lightwork(
        """
        import os, time
        import lightwork as L

        class Recorder(L.LightningWork):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.calls = []
                self.pid = 0
            def run(self, tag=""):
                self.pid = os.getpid()
                time.sleep(0.05)
                self.calls = self.calls + [tag]

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.queued = Recorder(parallel=True)
                self.again = Recorder(parallel=True, cache_calls=False)
                self.early = Recorder()
                self._said = False
            def run(self):
                self.early.start()  # the process is up before any call
                for tag in ("a", "b", "c"):
                    self.queued.run(tag)  # parallel: b and c wait for a, in order
                self.again.run()
                if len(self.again.calls) >= 3 and self.queued.calls == ["a", "b", "c"] and not self._said:
                    self._said = True
                    print("queued", self.queued.calls, "again", len(self.again.calls) >= 3, "early", self.early.status.stage)

        app = L.LightningApp(F())
        """
    )
    run.wait_line("queued")
    assert run.stdout_lines == ["queued ['a', 'b', 'c'] again True early started"]
    assert len(run.processes()) == 5  # the app, the fork server, and three works: `early` runs uncalled
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_work_deleting_a_state_attribute_fails(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.counter = 0
                self.name_tag = "x"
            def run(self):
                del self.name_tag
                while True:
                    self.counter += 1
                    time.sleep(0.001)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "AttributeError: W.name_tag was deleted: state attributes cannot be deleted" in run.stderr


def test_a_quiet_work_gets_a_state_rule_error_at_the_assignment_itself(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.counter = 0
            def run(self):
                time.sleep(0.3)
                self.countr = 1
                time.sleep(5)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "AttributeError: W.countr was not defined in __init__" in run.stderr
    assert "self.countr = 1" in run.stderr and "time.sleep(5)" not in run.stderr


def test_a_state_rule_error_is_never_raised_inside_library_code(lightwork):
    run = lightwork(
        """
        import threading, time
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.items = []
                self.after = False
            def run(self):
                self.items.append(object())        # found by a poll, a few milliseconds later
                threading.Event().wait(1.0)        # Python's own code: it is not interrupted
                self.after = True                  # the error lands at the next assignment

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "StateValueError: W.items = list value: state values must be JSON-serialisable" in run.stderr
    assert "self.after = True" in run.stderr and "threading.py" not in run.stderr


def test_dict_keys_that_are_not_strings_are_refused_on_both_sides(lightwork):
    work_side = lightwork(
        """
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.rates = {"0": 0.1}
            def run(self):
                self.rates[1] = 0.5

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    assert work_side.wait() == 1
    assert "StateValueError: W.rates has the key 1 (int) at root: state dict keys must be strings" in work_side.stderr


def test_the_flow_refuses_a_dict_with_a_key_that_is_not_a_string(lightwork):
    run = lightwork(
        """
        import lightwork as L

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.rates = {}
            def run(self):
                try:
                    self.rates = {"a": {2: 0.1}}
                except TypeError as exc:
                    self.stop(str(exc))

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "F.rates has the key 2 (int) at root['a']: state dict keys must be strings" in run.stdout


def test_a_quiet_app_makes_no_passes_and_a_schedule_wakes_it_at_its_times(lightwork):
    import time

    run = lightwork(
        """
        import time
        import lightwork as L

        class Sleeper(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)

            def run(self):
                time.sleep(3600)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Sleeper()

            def run(self):
                print("pass", self.w.status.stage, flush=True)
                self.w.run()
                if self.schedule("* * * * * */2"):  # every two seconds (croniter's sixth field)
                    print("tick", flush=True)

        app = L.LightningApp(F())
        """
    )
    run.wait_line("pass running")
    run.wait_for(lambda lines: lines.count("tick") >= 3, timeout=30)
    time.sleep(0.5)
    lines = list(run.stdout_lines)
    run.signal(signal.SIGINT)
    assert run.wait() == 130
    settled = lines[lines.index("pass running") + 1 :]
    if settled[:1] == ["tick"]:  # that pass (the work's status changed) came at a due time too
        settled = settled[1:]
    # Once the work runs, nothing changes: the only passes are the schedule's, each printing its tick.
    assert settled and all(a == "pass running" and b == "tick" for a, b in zip(settled[::2], settled[1::2])), lines


def test_works_a_list_edit_moved_before_they_started_run_under_their_new_names(lightwork):
    run = lightwork(
        """
        import lightwork as L
        from lightwork.structures import Dict, List

        class W(L.LightningWork):
            def __init__(self, i):
                super().__init__()
                self.i = i
                self.done = False

            def run(self):
                self.done = True

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.pool = List(W(0), W(1), W(2), W(3))
                self.table = Dict(a=W(10))
                self._edited = False

            def run(self):
                if not self._edited:  # every edit moves works that have not started yet
                    self._edited = True
                    del self.pool[0]  # 1 2 3
                    self.pool.insert(0, W(9))  # 9 1 2 3
                    self.pool.pop(1)  # 9 2 3: work 2 now has the name work 1 had when it was removed
                    self.pool.remove(self.pool[2])  # 9 2
                    self.pool.append(W(7))  # 9 2 7
                    self.table["a"] = W(11)
                works = list(self.pool) + list(self.table.values())
                for w in works:
                    w.run()
                if all(w.done for w in works):
                    print([(w.name, w.i) for w in works])
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait(60) == 0, run.stderr
    assert run.stdout_lines[-1] == "[('root.pool.0', 9), ('root.pool.1', 2), ('root.pool.2', 7), ('root.table.a', 11)]"
