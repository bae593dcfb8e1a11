"""`self.counter += 1` in a running work vs the same loop on a plain object (goal >= 0.9x; Lightning Apps: 0.00002x)."""
import time

from common import app_run, last_json, report

N = 20_000_000

APP_TEMPLATE = """
import json, time
import lightwork as L

N, ITEMS = {n}, {items}

class Plain:
    def __init__(self):
        self.counter = 0

class Counter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0
        self.rates = []
        self.items = list(range(ITEMS))  # state the publisher must also watch

    def run(self):
        def loop(obj):
            start = time.perf_counter()
            for _ in range(N):
                obj.counter += 1
            return N / (time.perf_counter() - start)
        work_rate = max(loop(self) for _ in range(3))
        plain_rate = max(loop(Plain()) for _ in range(3))
        self.rates = [work_rate, plain_rate]

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Counter()
        self._passes = 0

    def run(self):
        self.w.run()
        self._passes += 1
        if self.w.has_succeeded:
            print("RESULT " + json.dumps({"rates": self.w.rates, "counter": self.w.counter, "flow_passes": self._passes}))
            self.stop()

app = L.LightningApp(F())
"""


class Plain:
    def __init__(self):
        self.counter = 0


def plain_rate_here() -> float:
    best = 0.0
    for _ in range(3):
        obj, start = Plain(), time.perf_counter()
        for _ in range(N):
            obj.counter += 1
        best = max(best, N / (time.perf_counter() - start))
    return best


def work_rates(items: int) -> dict:
    with app_run(APP_TEMPLATE.replace("{n}", str(N)).replace("{items}", str(items))) as run:
        assert run.wait(180) == 0, run.stderr
        result = last_json(run, "RESULT ")
    assert result["counter"] == 3 * N  # three timed loops on self
    return result


def main() -> dict:
    reference = plain_rate_here()
    result = work_rates(0)
    with_list = work_rates(1_000_000)["rates"][0]
    work_rate, plain_in_work = result["rates"]
    return report(
        "counter",
        work_updates_per_s=round(work_rate),
        plain_loop_per_s=round(reference),
        ratio=round(work_rate / reference, 3),
        ratio_vs_plain_in_same_process=round(work_rate / plain_in_work, 3),
        ratio_with_1m_item_list_in_state=round(with_list / reference, 3),
        flow_passes_seen=result["flow_passes"],
        goal="ratio >= 0.9 (issue 6: keep)",
    )


if __name__ == "__main__":
    main()
