"""Ctrl+C (SIGINT to the process group, as a terminal sends it) ends `lightwork run` with exit code 130, at
most one line on stderr and nothing left running, whenever it arrives."""
import signal
import time

IMPORT_TIMES = {"PYTHONPROFILEIMPORTTIME": "1"}  # Python reports each import on stderr as it ends

SLOW_TO_LOAD = """
import sys, time
import lightwork as L

class F(L.LightningFlow):
    def run(self):
        pass

print("loading", flush=True)
time.sleep(60)
app = L.LightningApp(F())
"""

SLOW_TO_START = """
import time
import lightwork as L

class F(L.LightningFlow):
    def run(self):
        pass

    def configure_layout(self):
        print("configuring", flush=True)
        time.sleep(1)
        return []

app = L.LightningApp(F())
"""

MANY_WORKS = """
import time
import lightwork as L

class W(L.LightningWork):
    def run(self):
        time.sleep(60)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = L.structures.List(*[W(parallel=True) for _ in range(6)])

    def run(self):
        print("starting works", flush=True)
        for w in self.ws:
            w.run()

app = L.LightningApp(F())
"""

BUSY_FLOW = """
import time
import lightwork as L

class F(L.LightningFlow):
    def run(self):
        print("in the flow", flush=True)
        time.sleep(60)

app = L.LightningApp(F())
"""

STUBBORN = """
import time
import lightwork as L

class Stubborn(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.ready = False

    def run(self):
        self.ready = True
        while True:
            try:
                time.sleep(0.05)
            except BaseException:
                print("ignoring the stop", flush=True)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Stubborn()

    def run(self):
        self.w.run()
        if self.w.ready:
            print("running", flush=True)
            STOP

app = L.LightningApp(F())
"""


def _imported(lines: list, module: str) -> bool:
    """Whether Python reported the end of the import of `module`."""
    return any(line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == module for line in lines)


def _own_lines(run) -> list:
    return [line for line in run.stderr_lines if not line.startswith("import time:")]


def _interrupted_quietly(run, at_most_one_line: bool = False, expected: int = 130) -> None:
    code = run.wait(timeout=30)
    said = _own_lines(run)
    assert code == expected, "\n".join(said)
    assert len(said) <= (1 if at_most_one_line else 0), "\n".join(said)
    assert run.leftovers() == []


def test_ctrl_c_while_python_imports_lightwork(lightwork):
    for module in ("lightwork.storage", "lightwork.core.flow", "click"):
        run = lightwork(["run", "app.py", "--no-ui"], env=IMPORT_TIMES, new_session=True)
        run.wait_for(lambda lines: _imported(lines, module), stderr=True)
        run.interrupt()
        _interrupted_quietly(run)


def test_ctrl_c_while_the_app_file_loads(lightwork):
    run = lightwork(SLOW_TO_LOAD, new_session=True)
    run.wait_line("loading")
    run.interrupt()
    _interrupted_quietly(run)


def test_ctrl_c_while_the_app_starts_waits_for_the_start_then_stops_it(lightwork):
    run = lightwork(SLOW_TO_START, new_session=True)
    run.wait_line("configuring")
    run.interrupt()
    _interrupted_quietly(run, at_most_one_line=True)  # a busy port 7501 is said in one line


def test_ctrl_c_while_works_start(lightwork):
    run = lightwork(MANY_WORKS, new_session=True)
    run.wait_line("starting works")
    run.interrupt()
    _interrupted_quietly(run, at_most_one_line=True)


def test_ctrl_c_while_the_flow_runs_its_own_code(lightwork):
    run = lightwork(BUSY_FLOW, new_session=True)
    run.wait_line("in the flow")
    run.interrupt()
    _interrupted_quietly(run, at_most_one_line=True)


def test_a_second_ctrl_c_while_stopping_does_not_cut_the_stop_short(lightwork):
    run = lightwork(STUBBORN.replace("STOP", "pass"), new_session=True)
    run.wait_line("running")
    run.interrupt()
    run.wait_line("ignoring the stop")  # the app is stopping its works (the stubborn one is killed in 1 s)
    run.interrupt()
    _interrupted_quietly(run, at_most_one_line=True)


def test_ctrl_c_while_an_app_that_ended_stops_its_works(lightwork):
    run = lightwork(STUBBORN.replace("STOP", 'self.stop("done")'), new_session=True)
    run.wait_line("ignoring the stop")
    run.interrupt()
    _interrupted_quietly(run, at_most_one_line=True)
    assert "done" in run.stdout_lines


def test_ctrl_c_at_many_moments(lightwork):
    """From lightwork's imports on (Python's own start-up comes before its first line), at a spread of moments."""
    for delay in (0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3):
        run = lightwork(MANY_WORKS.replace("range(6)", "range(3)"), env=IMPORT_TIMES, new_session=True)
        run.wait_for(lambda lines: _imported(lines, "lightwork.storage"), stderr=True)
        time.sleep(delay)
        run.interrupt()
        _interrupted_quietly(run, at_most_one_line=True)


def test_sigint_to_the_app_process_alone_still_exits_130(lightwork):
    run = lightwork(BUSY_FLOW)
    run.wait_line("in the flow")
    run.signal(signal.SIGINT)
    _interrupted_quietly(run, at_most_one_line=True)


def test_sigterm_before_the_app_runs_ends_it_as_ctrl_c_does_with_exit_143(lightwork):
    """SIGTERM (a service manager, `kill`) while the app file loads or the app starts: the same clean end."""
    for app, line in ((SLOW_TO_LOAD, "loading"), (SLOW_TO_START, "configuring"), (MANY_WORKS, "starting works")):
        run = lightwork(app)
        run.wait_line(line)
        run.signal(signal.SIGTERM)
        _interrupted_quietly(run, at_most_one_line=True, expected=143)
