"""What a work costs while it waits, and the runtime at scale, through real `lightwork run` processes."""
import json
import os
import resource
import time


def _wakeups(pid: int) -> int:
    """Voluntary context switches of every thread of `pid`: how often its threads went to sleep."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as status:
            total += sum(int(line.split()[1]) for line in status if line.startswith("voluntary_ctxt_switches"))
    return total


def _wakeups_over(pid: int, seconds: float) -> int:
    before = _wakeups(pid)
    time.sleep(seconds)
    return _wakeups(pid) - before


WAITING_APP = """
import time
import lightwork as L

class W(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.pid = 0
        self.items = []
        self.value = 0

    def run(self, sleep):
        import os
        self.pid = os.getpid()
        time.sleep(sleep)
        self.value = 1                      # an assignment after a quiet spell
        time.sleep(sleep)
        self.items.append("in place")       # an in-place change after a quiet spell

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = W()

    def run(self):
        self.w.run(SLEEP)
        if self.w.pid:
            print("pid", self.w.pid, flush=True)
        if self.w.value == 1:
            print("value seen", flush=True)
        if self.w.items:
            print("items seen", flush=True)
        if self.w.has_succeeded:
            self.stop("done")

app = L.LightningApp(F())
"""


def _work_pid(run) -> int:
    run.wait_line("pid ")
    return int(next(line for line in run.stdout_lines if line.startswith("pid ")).split()[1])


def test_a_work_between_calls_does_not_wake(lightwork):
    run = lightwork(WAITING_APP.replace("SLEEP", "0"))
    assert run.wait() == 0, run.stderr
    run = lightwork(WAITING_APP.replace("SLEEP", "0").replace('self.stop("done")', "pass"))
    pid = _work_pid(run)
    run.wait_line("items seen")
    time.sleep(0.5)
    # Polling every 4 ms, as before, is about 500 wake-ups in 2 s.
    assert _wakeups_over(pid, 2.0) <= 4


def test_a_waiting_work_barely_wakes_and_still_publishes_what_it_writes(lightwork):
    run = lightwork(WAITING_APP.replace("SLEEP", "3"))
    pid = _work_pid(run)
    time.sleep(1.0)
    assert _wakeups_over(pid, 1.5) <= 12  # at most a few polls a second for in-place changes
    run.wait_line("value seen", timeout=10)
    run.wait_line("items seen", timeout=10)
    assert run.wait() == 0, run.stderr


def test_a_dead_work_is_reported_while_a_child_it_started_lives_on(lightwork, tmp_path):
    run = lightwork(
        """
        import os, time
        import lightwork as L

        class Dying(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True, raise_exception=False)

            def run(self):
                child = os.fork()  # as multiprocessing and DataLoaders do: it holds every inherited socket
                if child == 0:
                    time.sleep(60)
                    os._exit(0)
                with open("child.pid", "w") as f:
                    f.write(str(child))
                os._exit(3)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Dying()

            def run(self):
                self.w.run()
                if self.w.has_failed:
                    print("failed:", self.w.status.message)
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait(timeout=15) == 0, run.stderr
    assert "failed: the work's process exited unexpectedly (exit code 3)" in run.stdout
    child = int((tmp_path / "child.pid").read_text())
    assert not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split()[2] == "Z"


def test_a_work_created_while_the_app_runs_may_hold_a_large_object(lightwork):
    run = lightwork(
        """
        import os
        import lightwork as L

        class Holder(L.LightningWork):
            def __init__(self):
                super().__init__()
                self._blob = os.urandom(4 * 2**20)  # pickled with the work: far over a datagram's size
                self.size = 0
                self.pid = 0

            def run(self):
                self.size, self.pid = len(self._blob), os.getpid()

        class F(L.LightningFlow):
            def run(self):
                if not hasattr(self, "holder"):
                    self.holder = Holder()
                self.holder.run()
                if self.holder.has_succeeded:
                    print("size", self.holder.size, "own process", self.holder.pid != os.getpid())
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "size 4194304 own process True" in run.stdout


def test_six_hundred_works_started_in_one_pass_all_finish(lightwork):
    run = lightwork(
        """
        import lightwork as L
        from lightwork.structures import List

        class Doubler(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.value = 0

            def run(self, x):
                self.value = 2 * x

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.ws = List(*[Doubler() for _ in range(600)])

            def run(self):
                for i, w in enumerate(self.ws):
                    w.run(i)
                if all(w.value == 2 * i for i, w in enumerate(self.ws)):
                    self.stop("all 600")

        app = L.LightningApp(F())
        """
    )
    assert run.wait(timeout=120) == 0, run.stderr
    assert "all 600" in run.stdout


def test_more_works_than_the_open_files_limit_allows_fail_with_the_limit_named(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(
        """
import lightwork as L
from lightwork.structures import List

class W(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        pass

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = List(*[W() for _ in range(200)])

    def run(self):
        for w in self.ws:
            w.run()

app = L.LightningApp(F())
"""
    )
    run = lightwork(["run", "app.py", "--no-ui"], rlimits={resource.RLIMIT_NOFILE: (100, 100)})
    assert run.wait(timeout=30) == 1
    errors = [line for line in run.stderr_lines if line.startswith("lightwork:")]
    assert len(errors) == 1 and "open-files limit (100) is reached" in errors[0], run.stderr
    assert "Traceback" not in run.stderr


def test_a_low_soft_open_files_limit_is_raised_for_the_app(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(
        """
import resource
import lightwork as L

class F(L.LightningFlow):
    def run(self):
        self.stop("soft limit %d" % resource.getrlimit(resource.RLIMIT_NOFILE)[0])

app = L.LightningApp(F())
"""
    )
    run = lightwork(["run", "app.py"], rlimits={resource.RLIMIT_NOFILE: (64, 4096)})
    assert run.wait() == 0, run.stderr
    assert run.stdout_lines[-1] == "soft limit 4096"


def test_a_new_work_of_an_app_that_uses_drives_has_storage_ready(lightwork):
    run = lightwork(
        """
        import sys
        import lightwork as L
        from lightwork.storage import Drive

        class W(L.LightningWork):
            def run(self):
                print("ready" if "fsspec" in sys.modules else "not ready")

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()

            def run(self):
                self.w.run()
                self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "root.w | ready" in run.stdout


def test_a_container_replaced_at_once_travels_as_one_change(lightwork, tmp_path):
    log = tmp_path / "deltas.jsonl"
    run = lightwork(
        """
        import lightwork as L

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.table = {"old": 0}

            def run(self):
                self.table = {str(i): i for i in range(5000)}

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()

            def run(self):
                self.w.run()
                print("keys", len(self.w.table))
                self.stop()

        app = L.LightningApp(F())
        """,
        env={"LIGHTWORK_DELTA_LOG": str(log)},
    )
    assert run.wait() == 0, run.stderr
    assert "keys 5000" in run.stdout
    entries = [(kind, path) for line in log.read_text().splitlines() for kind, changes in json.loads(line)["delta"].items() for path in changes]
    assert entries == [("values_changed", "root['works']['w']['vars']['table']")]


def test_a_frozen_work_does_not_block_the_flow_that_writes_to_it(lightwork):
    run = lightwork(
        """
        import os, signal
        import lightwork as L

        class Frozen(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
                self.data = ""
                self.frozen = False

            def run(self):
                self.frozen = True
                import time; time.sleep(0.2)  # published before it freezes
                os.kill(os.getpid(), signal.SIGSTOP)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Frozen()
                self._writes = 0

            def run(self):
                self.w.run()
                if self.w.frozen:
                    self._writes += 1
                    self.w.data = str(self._writes) * 200_000  # far more than the socket buffers hold
                    if self._writes == 100:
                        self.stop("the flow went on")

        app = L.LightningApp(F())
        """
    )
    assert run.wait(timeout=30) == 0, run.stderr
    assert "the flow went on" in run.stdout


def test_a_work_changing_a_large_dict_in_place_is_never_failed_by_publishing(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        def step():
            pass

        class Busy(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.table = {str(i): i for i in range(200_000)}
                self.rounds = 0

            def run(self):
                end = time.monotonic() + 3
                rounds = 0
                while time.monotonic() < end:
                    for _ in range(1000):
                        self.table["extra"] = rounds
                        step()                    # a call: another thread may run while "extra" is in
                        del self.table["extra"]
                    rounds += 1
                self.rounds = rounds

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Busy()

            def run(self):
                self.w.run()
                table = self.w.table
                # what the flow sees is a state the work had: the 200,000 keys, with or without "extra"
                assert len(table) - ("extra" in table) == 200_000 and table["0"] == 0
                if self.w.has_succeeded:
                    self.stop("rounds %d" % self.w.rounds)

        app = L.LightningApp(F())
        """
    )
    assert run.wait(timeout=60) == 0, run.stderr
    assert "rounds" in run.stdout
