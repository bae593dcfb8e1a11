"""Every way an app ends leaves no process behind (the `lightwork` fixture also checks after each test)."""
import os
import signal
import time

import pytest

LONG_RUNNING = """
import time
import lightwork as L

class Sleeper(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.ready = False
    def run(self):
        self.ready = True
        while True:
            time.sleep(0.05)

class Stubborn(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.ready = False
    def run(self):
        self.ready = True
        while True:  # swallows the stop request: must be killed after the grace period
            try:
                time.sleep(0.05)
            except BaseException:
                pass

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.a = Sleeper()
        self.b = Sleeper()
        self.c = Stubborn()
        self.announced = False
    def run(self):
        for w in (self.a, self.b, self.c):
            w.run()
        if not self.announced and all(w.ready for w in (self.a, self.b, self.c)):
            self.announced = True
            print("all running")

app = L.LightningApp(F())
"""


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_every_work_and_exits(lightwork, signum, code):
    run = lightwork(LONG_RUNNING)
    run.wait_line("all running")
    assert len(run.processes()) == 5  # the app, the fork server and three works
    run.signal(signum)
    assert run.wait(timeout=10) == code
    assert run.leftovers() == []


def test_killed_app_takes_its_works_with_it(lightwork):
    run = lightwork(LONG_RUNNING)
    run.wait_line("all running")
    run.signal(signal.SIGKILL)
    run.wait(timeout=10)
    assert run.leftovers(timeout=3) == []


def test_stop_from_the_flow_ends_works_that_ignore_it(lightwork):
    run = lightwork(LONG_RUNNING.replace('print("all running")', 'print("all running"); self.stop("bye")'))
    assert run.wait(timeout=10) == 0
    assert "bye" in run.stdout
    assert run.leftovers() == []


def test_idle_app_sleeps(lightwork):
    run = lightwork(
        """
        import time
        import lightwork as L

        class Idle(L.LightningWork):
            def __init__(self):
                super().__init__(parallel=True)
            def run(self):
                print("sleeping")
                time.sleep(3600)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = Idle()
            def run(self):
                self.w.run()

        app = L.LightningApp(F())
        """
    )
    run.wait_line("sleeping")
    time.sleep(0.3)
    pids = run.processes()

    def cpu_ticks():
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total

    before = cpu_ticks()
    time.sleep(2.0)
    used = (cpu_ticks() - before) / os.sysconf("SC_CLK_TCK")
    # A busy loop would use ~2 s here; the figure against the goal is in benchmarks/bench_idle.py.
    assert used < 0.5, f"idle app used {used:.2f} s of CPU in 2 s"
    run.signal(signal.SIGINT)
    assert run.wait() == 130


STARTS_PROCESSES = """
import subprocess, time
import lightwork as L

class Spawner(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.started = False
    def run(self):
        subprocess.Popen(["sleep", "1000"])
        subprocess.Popen(["sh", "-c", "sleep 1001 & sleep 1002"])  # a grandchild the work never sees
        self.started = True
        time.sleep(1000)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Spawner()
    def run(self):
        self.w.run()
        if self.w.started:
            print("started")

app = L.LightningApp(F())
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL])
def test_processes_a_work_started_end_with_the_app(lightwork, signum):
    run = lightwork(STARTS_PROCESSES)
    run.wait_line("started")
    deadline = time.monotonic() + 10
    while len(run.processes()) < 7 and time.monotonic() < deadline:  # app, fork server, work, 4 of its own
        time.sleep(0.05)
    assert len(run.processes()) == 7
    run.signal(signum)
    run.wait(timeout=10)
    assert run.leftovers() == []


def test_a_work_process_that_dies_fails_the_work(lightwork):
    run = lightwork(
        """
        import os
        import lightwork as L

        class Crasher(L.LightningWork):
            def __init__(self, raise_exception):
                super().__init__(raise_exception=raise_exception)
            def run(self):
                os._exit(7)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.soft = Crasher(False)
                self.hard = Crasher(True)
            def run(self):
                self.soft.run()
                print("soft:", self.soft.status.stage, self.soft.status.message)
                self.hard.run()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 1
    assert "soft: failed the work's process exited unexpectedly (exit code 7)" in run.stdout_lines
    assert "work root.hard failed" in run.stderr and "exit code 7" in run.stderr
