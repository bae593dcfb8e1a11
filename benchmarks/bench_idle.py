"""CPU of an idle app, all its processes together (the fork server included), over 5 s after it settled,
against a process that only sleeps. Goals: 1 work sleeping inside run() < 0.5% of a core; 100 works sleeping
inside run() < 5%; 100 works done with their call < 3% (Lightning Apps: 101%; before this design: 113%)."""
import subprocess
import sys
import time

from common import app_run, cpu_seconds, report

APP = """
import time
import lightwork as L
from lightwork.structures import List

class Sleeper(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.done = False

    def run(self):
        self.done = SLEEP == 0
        time.sleep(SLEEP)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = List(*[Sleeper() for _ in range(WORKS)])
        self._said = False

    def run(self):
        for w in self.ws:
            w.run()
        settled = all(w.has_succeeded for w in self.ws) if SLEEP == 0 else all(w.is_running for w in self.ws)
        if settled and not self._said:
            self._said = True
            print("settled", flush=True)

app = L.LightningApp(F())
"""
SECONDS = 5.0
SETTLE = 1.0


def idle_percent(works: int, sleep: float, reference: int) -> tuple[float, float, int]:
    """(% of a core for the app, % for the `reference` process over the same window, processes of the app)."""
    source = APP.replace("WORKS", str(works)).replace("SLEEP", repr(sleep))
    with app_run(source) as run:
        run.wait_line("settled", timeout=120)
        time.sleep(SETTLE)
        pids = run.processes()
        before, ref_before = cpu_seconds(pids), cpu_seconds([reference])
        time.sleep(SECONDS)
        used, ref_used = cpu_seconds(pids) - before, cpu_seconds([reference]) - ref_before
    return round(100 * used / SECONDS, 2), round(100 * ref_used / SECONDS, 2), len(pids)


def main() -> dict:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    try:
        one, ref, one_processes = idle_percent(1, 3600.0, sleeper.pid)
        hundred_sleeping, _, _ = idle_percent(100, 3600.0, sleeper.pid)
        hundred_done, _, hundred_processes = idle_percent(100, 0, sleeper.pid)
    finally:
        sleeper.kill()
        sleeper.wait()
    return report(
        "idle",
        one_sleeping_percent=one,
        hundred_sleeping_percent=hundred_sleeping,
        hundred_done_percent=hundred_done,
        processes=[one_processes, hundred_processes],
        sleeping_python_percent=ref,
        goal="1 sleeping < 0.5%, 100 sleeping < 5%, 100 done < 3%",
    )


if __name__ == "__main__":
    main()
