"""A 256 MB numpy Payload handed from one work to another, against a pickle-to-file round trip in the same run
(goal >= 1.0x; Lightning Apps: 0.13x). Both sides end with the receiver summing the array (touching every page)."""
import os
import pickle
import tempfile
import time

import numpy as np

from common import app_run, last_json, median, report

MB = 256
APP = f"""
import json, time
import numpy as np
import lightwork as L
from lightwork.storage import Payload

class Source(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.data = None
        self.t0 = 0.0
    def run(self, round):
        array = np.ones({MB} * 2**20 // 8)
        self.t0 = time.monotonic()
        self.data = Payload(array)

class Sink(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.seconds = 0.0
        self.total = 0.0
    def run(self, data, t0):
        array = data.value
        self.total = float(array.sum())
        self.seconds = time.monotonic() - t0

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.source = Source()
        self.sink = Sink()
        self.round = 0
        self.seconds = []
    def run(self):
        self.sink.start()
        self.source.run(self.round)
        self.sink.run(self.source.data, self.source.t0)
        assert self.sink.total == {MB} * 2**20 // 8
        self.seconds = self.seconds + [self.sink.seconds]
        if len(self.seconds) == 5:
            print("RESULT " + json.dumps(self.seconds))
            self.stop()
        self.round += 1

app = L.LightningApp(F())
"""


def pickle_file_round_trip(folder: str) -> float:
    array = np.ones(MB * 2**20 // 8)
    path = os.path.join(folder, "round-trip.pkl")
    start = time.monotonic()
    with open(path, "wb") as handle:
        pickle.dump(array, handle, protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "rb") as handle:
        back = pickle.load(handle)
    assert float(back.sum()) == array.size
    seconds = time.monotonic() - start
    os.unlink(path)
    return seconds


def memory_copy() -> float:
    array = np.ones(MB * 2**20 // 8)
    start = time.monotonic()
    copy = array.copy()
    assert float(copy.sum()) == array.size
    return time.monotonic() - start


def main() -> dict:
    with tempfile.TemporaryDirectory(dir=".") as folder:
        reference = median([pickle_file_round_trip(folder) for _ in range(5)])
    copy = median([memory_copy() for _ in range(5)])
    with app_run(APP) as run:
        assert run.wait(300) == 0, run.stderr
        handoff = median(last_json(run, "RESULT "))
    return report(
        "payload",
        handoff_s=round(handoff, 4),
        pickle_file_round_trip_s=round(reference, 4),
        ratio=round(reference / handoff, 2),
        memory_copy_ratio=round(reference / copy, 2),
        mb=MB,
        goal="ratio >= 1.0",
    )


if __name__ == "__main__":
    main()
