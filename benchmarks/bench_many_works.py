"""100 parallel works each set one value: time until the flow saw them all, and the unique memory of all
processes (goal <= 2 s, <= 800 MB; the peer: 9.5 s, 1651 MB), against forking 100 bare processes."""
import os
import signal
import time

from common import app_run, last_json, report, unique_memory_mb

APP = """
import json, time
import lightwork as L
from lightwork.structures import List

class Setter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.value = 0

    def run(self):
        self.value = 1

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = List(*[Setter() for _ in range(100)])
        self._first = None
        self._reported = False

    def run(self):
        if self._first is None:
            self._first = time.monotonic()
        for w in self.ws:
            w.run()
        if not self._reported and all(w.value == 1 for w in self.ws):
            self._reported = True
            print("RESULT " + json.dumps({"first_run": self._first, "all_seen": time.monotonic()}))

app = L.LightningApp(F())
"""


def fork_100() -> float:
    start = time.monotonic()
    pids = []
    for _ in range(100):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    return time.monotonic() - start


def main() -> dict:
    reference = min(fork_100() for _ in range(3))
    with app_run(APP) as run:
        run.wait_line("RESULT ", timeout=120)
        result = last_json(run, "RESULT ")
        time.sleep(0.5)  # let every work go idle after its call
        pids = run.processes()
        memory = unique_memory_mb(pids)
        run.signal(signal.SIGINT)
        assert run.wait(30) == 130, run.stderr
    from_launch = result["all_seen"] - run.started_at
    return report(
        "many_works",
        processes=len(pids),
        done_from_first_run_s=round(result["all_seen"] - result["first_run"], 3),
        done_from_launch_s=round(from_launch, 3),
        unique_memory_mb=round(memory, 1),
        fork_100_bare_s=round(reference, 4),
        goal="<= 2 s, <= 800 MB",
    )


if __name__ == "__main__":
    main()
