"""The flow sees 100 updates a work sends at 50 Hz: how many, and the lag p50/p99 (goal >= 95, <= 2 ms, <= 10 ms);
and the lag of a write that follows 10 s of quiet in a running work (goal p50 <= 10 ms, p99 <= 50 ms), 100
samples from 50 works writing twice each."""
import multiprocessing as mp
import time

from common import app_run, last_json, median, percentile, report

APP = """
import json, time
import lightwork as L

class Sender(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.update = [0, 0.0]

    def run(self):
        time.sleep(0.5)
        for i in range(1, 101):
            self.update = [i, time.monotonic()]
            time.sleep(0.02)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Sender()
        self._seen = {}

    def run(self):
        self.w.run()
        i, sent = self.w.update
        if i and i not in self._seen:
            self._seen[i] = time.monotonic() - sent
        if self.w.has_succeeded:
            print("RESULT " + json.dumps(self._seen))
            self.stop()

app = L.LightningApp(F())
"""


QUIET_APP = """
import json, random, time
import lightwork as L
from lightwork.structures import List

class Quiet(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.update = [0, 0.0]

    def run(self):
        for i in (1, 2):
            time.sleep(10 + random.random())
            self.update = [i, time.monotonic()]

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = List(*[Quiet() for _ in range(50)])
        self._seen = {}

    def run(self):
        for n, w in enumerate(self.ws):
            w.run()
            i, sent = w.update
            if i and (n, i) not in self._seen:
                self._seen[(n, i)] = time.monotonic() - sent
        if all(w.has_succeeded for w in self.ws):
            print("RESULT " + json.dumps(list(self._seen.values())))
            self.stop()

app = L.LightningApp(F())
"""


def _pipe_sender(conn, count):
    for _ in range(count):
        conn.send(time.monotonic())
        time.sleep(0.002)
    conn.close()


def pipe_latency_us(count: int = 200) -> float:
    """One-way latency of a multiprocessing.Pipe message between two processes, p50 in microseconds."""
    receiver, sender = mp.Pipe(duplex=False)
    proc = mp.get_context("fork").Process(target=_pipe_sender, args=(sender, count))
    proc.start()
    lags = []
    for _ in range(count):
        sent = receiver.recv()
        lags.append((time.monotonic() - sent) * 1e6)
    proc.join()
    return median(lags)


def main() -> dict:
    reference = pipe_latency_us()
    with app_run(APP) as run:
        assert run.wait(60) == 0, run.stderr
        seen = last_json(run, "RESULT ")
    lags_ms = [lag * 1000 for lag in seen.values()]
    with app_run(QUIET_APP) as run:
        assert run.wait(120) == 0, run.stderr
        quiet_ms = [lag * 1000 for lag in last_json(run, "RESULT ")]
    return report(
        "lag",
        seen_of_100=len(seen),
        lag_p50_ms=round(percentile(lags_ms, 50), 3),
        lag_p99_ms=round(percentile(lags_ms, 99), 3),
        pipe_p50_us=round(reference, 1),
        p50_vs_pipe=round(percentile(lags_ms, 50) * 1000 / reference, 1),
        after_quiet_seen_of_100=len(quiet_ms),
        after_quiet_p50_ms=round(percentile(quiet_ms, 50), 3),
        after_quiet_p99_ms=round(percentile(quiet_ms, 99), 3),
        goal="seen >= 95, p50 <= 2 ms, p99 <= 10 ms; after 10 s quiet: p50 <= 10 ms, p99 <= 50 ms",
    )


if __name__ == "__main__":
    main()
