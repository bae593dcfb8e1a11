"""Big state: seconds from the end of a work's loop until the flow has all of it.

- a work grows a dict one key at a time to 20,000 / 300,000 keys (goals <= 0.5 s / <= 5 s; before: 44 s / never);
- a work assigns a 1,000,000-key dict at once (goal <= 3x `json.dumps` + `json.loads` of it, same run).
"""
import json
import time

from common import app_run, last_json, report

GROW_APP = """
import json, time
import lightwork as L

N = {n}

class Grower(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.d = {}
        self.ended = 0.0

    def run(self):
        for i in range(N):
            self.d[str(i)] = i
        self.ended = time.monotonic()

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Grower()

    def run(self):
        self.w.run()
        if len(self.w.d) == N and self.w.ended:
            print("RESULT " + json.dumps({"s": time.monotonic() - self.w.ended}))
            self.stop()

app = L.LightningApp(F())
"""

ASSIGN_APP = """
import json, time
import lightwork as L

N = {n}

class Assigner(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.big = {}
        self.sent = 0.0

    def run(self):
        big = {str(i): i for i in range(N)}
        self.sent = time.monotonic()
        self.big = big

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Assigner()

    def run(self):
        self.w.run()
        if self.w.sent and len(self.w.big) == N:
            print("RESULT " + json.dumps({"s": time.monotonic() - self.w.sent}))
            self.stop()

app = L.LightningApp(F())
"""


def seconds(source: str, n: int) -> float:
    with app_run(source.replace("{n}", str(n))) as run:
        assert run.wait(300) == 0, run.stderr
        return last_json(run, "RESULT ")["s"]


def json_round_trip(n: int) -> float:
    big = {str(i): i for i in range(n)}
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        json.loads(json.dumps(big))
        best = min(best, time.perf_counter() - start)
    return best


def main() -> dict:
    grow_20k, grow_300k = seconds(GROW_APP, 20_000), seconds(GROW_APP, 300_000)
    reference = json_round_trip(1_000_000)
    assign = seconds(ASSIGN_APP, 1_000_000)
    return report(
        "state",
        grow_20k_s=round(grow_20k, 3),
        grow_300k_s=round(grow_300k, 3),
        assign_1m_s=round(assign, 3),
        json_round_trip_1m_s=round(reference, 3),
        assign_1m_ratio=round(assign / reference, 2),
        goal="grow 20k <= 0.5 s, 300k <= 5 s; assign 1M <= 3x json round trip",
    )


if __name__ == "__main__":
    main()
