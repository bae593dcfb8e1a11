"""The Ray runtime's column: the process runtime's measures under `--runtime ray`, references in the same run.

Ray already running: a local Ray instance this script starts (apps join it through RAY_ADDRESS); the launch
measure lets lightwork start and stop its own Ray. Goals (issue 9): counter >= 0.9x; 50 Hz writer >= 95 seen,
lag p50 <= 3 ms, p99 <= 15 ms; 256 MB Payload >= 2x the pickle-file round trip; 20 parallel works each finish
one call <= 2 s; launch to first flow pass < 10 s; a killed actor reported failed within 2 s.
"""
import json
import logging
import os
import tempfile

import bench_counter
import bench_lag
import bench_launch
import bench_payload
from common import app_run, last_json, median, percentile, report

PARALLEL = """
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
        self.ws = List(*[Doubler() for _ in range(20)])
        self._first = None

    def run(self):
        if self._first is None:
            self._first = time.monotonic()
        for i, w in enumerate(self.ws):
            w.run(i)
        if all(w.value == 2 * i for i, w in enumerate(self.ws)):
            print("RESULT " + json.dumps({"s": time.monotonic() - self._first}))
            self.stop()

app = L.LightningApp(F())
"""

DYING = """
import json, os, signal, time
import lightwork as L

class Doomed(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True, raise_exception=False)
        self.t = 0.0

    def run(self):
        self.t = time.time()
        time.sleep(0.3)  # the flow has the time before the process goes
        self.t = time.time()
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Doomed()

    def run(self):
        self.w.run()
        if self.w.has_failed:
            print("RESULT " + json.dumps({"s": time.time() - self.w.t - 0.05}))
            self.stop()

app = L.LightningApp(F())
"""


def timed(source: str, env: dict, timeout: float = 300) -> dict:
    with app_run(source, env) as run:
        assert run.wait(timeout) == 0, run.stderr
        return last_json(run, "RESULT ")


def main() -> dict:
    import ray

    os.environ.pop("RAY_ADDRESS", None)
    context = ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    env = {"LIGHTWORK_RUNTIME": "ray", "RAY_ADDRESS": context.address_info["address"], "LIGHTWORK_NO_UI": "1"}
    try:
        plain = bench_counter.plain_rate_here()
        counter = timed(bench_counter.APP_TEMPLATE.replace("{n}", str(bench_counter.N)).replace("{items}", "0"), env)
        seen = timed(bench_lag.APP, env)
        lags = [1000 * v for v in seen.values()]
        pipe_us = bench_lag.pipe_latency_us()
        with tempfile.TemporaryDirectory(dir=".") as folder:
            pickle_s = median([bench_payload.pickle_file_round_trip(folder) for _ in range(5)])
        # The first app on a fresh Ray writes into object-store memory never touched before (page faults at
        # about 1 GB/s on this VM); later apps reuse it, as a long-running cluster does.
        handoff_cold = median(timed(bench_payload.APP, env))
        handoff = median(timed(bench_payload.APP, env))
        parallel = [timed(PARALLEL, env)["s"] for _ in range(3)]
        died = [timed(DYING, env)["s"] for _ in range(3)]
    finally:
        ray.shutdown()
    launches = []
    for _ in range(3):  # lightwork starts (and stops) its own Ray each time
        with app_run(bench_launch.APP, {"LIGHTWORK_RUNTIME": "ray", "LIGHTWORK_NO_UI": "1"}) as run:
            run.wait_line("FIRST", timeout=120)
            first = float(next(line for line in run.stdout_lines if line.startswith("FIRST")).split()[1])
            launches.append(first - run.started_at)
            assert run.wait(60) == 0, run.stderr
    return report(
        "ray",
        counter_ratio=round(counter["rates"][0] / plain, 3),
        plain_loop_per_s=round(plain),
        lag_seen_of_100=len(seen),
        lag_p50_ms=round(percentile(lags, 50), 2),
        lag_p99_ms=round(percentile(lags, 99), 2),
        pipe_p50_us=round(pipe_us, 1),
        payload_handoff_s=round(handoff, 4),
        pickle_file_round_trip_s=round(pickle_s, 4),
        payload_ratio=round(pickle_s / handoff, 2),
        payload_handoff_cold_s=round(handoff_cold, 4),
        payload_ratio_cold=round(pickle_s / handoff_cold, 2),
        parallel_20_s=round(median(parallel), 3),
        death_reported_worst_s=round(max(died), 3),
        launch_to_first_pass_s=round(median(launches), 2),
        bare_python_s=round(bench_launch.bare_python_start(), 3),
    )


if __name__ == "__main__":
    print(json.dumps(main()))
