"""N parallel works each finish one call (`self.value = x * 2`): seconds from launch until the flow saw every
result, seconds per work, and the unique memory of all the app's processes, for N = 100, 300, 1000.
Goals: 1000 works <= 5 s, seconds per work at 1000 <= 1.5x seconds per work at 100, memory at 1000 <= 3 GB
(Lightning Apps at 100: 9.5 s, 1651 MB). Reference: forking N bare processes, in the same run."""
import os
import signal
import sys
import time

from common import app_run, last_json, report, unique_memory_mb

APP = """
import json, time
import lightwork as L
from lightwork.structures import List

class Doubler(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.value = 0

    def run(self, x):
        self.value = x * 2

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = List(*[Doubler() for _ in range(WORKS)])
        self._reported = False

    def run(self):
        for i, w in enumerate(self.ws):
            w.run(i)
        if not self._reported and all(w.value == 2 * i for i, w in enumerate(self.ws)):
            self._reported = True
            print("RESULT " + json.dumps({"all_seen": time.monotonic()}))

app = L.LightningApp(F())
"""
SIZES = (100, 300, 1000)


def fork_bare(n: int) -> float:
    start = time.monotonic()
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    return time.monotonic() - start


def run_size(works: int) -> dict:
    with app_run(APP.replace("WORKS", str(works))) as run:
        run.wait_line("RESULT ", timeout=300)
        seconds = last_json(run, "RESULT ")["all_seen"] - run.started_at
        time.sleep(1.0)  # every work idle after its call
        pids = run.processes()
        memory = unique_memory_mb(pids)
        run.signal(signal.SIGINT)
        assert run.wait(60) == 130, run.stderr
        left = run.leftovers()
    assert not left, f"{len(left)} processes left"
    return {"works": works, "s": round(seconds, 3), "s_per_work_ms": round(1000 * seconds / works, 3),
            "memory_mb": round(memory, 1), "processes": len(pids), "fork_bare_s": round(min(fork_bare(works) for _ in range(3)), 4)}


def main() -> dict:
    rows = [run_size(n) for n in SIZES]
    print("| works | seconds from launch | ms per work | unique memory MB | forking as many bare processes |", file=sys.stderr)
    for r in rows:
        print(f"| {r['works']} | {r['s']} | {r['s_per_work_ms']} | {r['memory_mb']} | {r['fork_bare_s']} s |", file=sys.stderr)
    first, last = rows[0], rows[-1]
    return report(
        "many_works",
        rows=rows,
        per_work_growth=round(last["s_per_work_ms"] / first["s_per_work_ms"], 2),
        goal="1000 works <= 5 s, per-work growth 100 -> 1000 <= 1.5x, memory at 1000 <= 3000 MB",
    )


if __name__ == "__main__":
    main()
