"""Payload, Drive and Path between real works under `lightwork run`."""
import os

import pytest

from lightwork.storage.payload import FOLDER_PREFIX

NUMPY_HANDOFF = """
import json
import numpy as np
import lightwork as L
from lightwork.storage import Payload

class Source(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.array = None
    def run(self):
        self._array = np.arange(1_000_000, dtype=np.int64)
        self.array = Payload(self._array)
        print("source sum", int(self._array.sum()))

class Sink(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.seen = 0
    def run(self, array):
        values = array.value
        values[:] = 0  # a copy: the source's data must not change
        self.seen = int(len(values))

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.source = Source()
        self.sink = Sink()
    def run(self):
        self.source.run()
        reference = self.state["works"]["source"]["vars"]["array"]
        self.sink.run(array=self.source.array)
        again = self.source.array.value  # the flow loads the value only here
        print("state", json.dumps(reference), len(json.dumps(self.state)) < 5000)
        print("flow sees", int(again.sum()), "sink saw", self.sink.seen)
        self.stop()

app = L.LightningApp(F())
"""


def test_numpy_payload_moves_between_works_as_a_copy(lightwork):
    run = lightwork(NUMPY_HANDOFF)
    assert run.wait() == 0, run.stderr
    total = sum(range(1_000_000))
    assert f"root.source | source sum {total}" in run.stdout_lines
    assert f"flow sees {total} sink saw 1000000" in run.stdout_lines
    state_line = next(line for line in run.stdout_lines if line.startswith("state "))
    assert '"__lightwork__": "payload"' in state_line and '"type": "ndarray"' in state_line and state_line.endswith("True")


def test_many_handoffs_do_not_grow_the_payload_folder(lightwork, tmp_path):
    folder = tmp_path / "payloads"
    folder.mkdir()
    run = lightwork(
        """
        import os
        import numpy as np
        import lightwork as L
        from lightwork.storage import Payload

        class Producer(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.data = None
            def run(self, i):
                self.data = Payload(np.full(125_000, i))

        class Consumer(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.last = -1
            def run(self, data, i):
                self.last = int(data.value[0])

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.producer = Producer()
                self.consumer = Consumer()
                self.i = 0
                self.most_files = 0
            def run(self):
                self.producer.run(self.i)
                self.consumer.run(self.producer.data, self.i)
                assert self.consumer.last == self.i
                self.most_files = max(self.most_files, len(os.listdir(os.environ["LIGHTWORK_PAYLOAD_DIR"])))
                if self.i == 400:
                    print("most files", self.most_files)
                    self.stop()
                self.i += 1

        app = L.LightningApp(F())
        """,
        env={"LIGHTWORK_PAYLOAD_DIR": str(folder)},
    )
    assert run.wait(120) == 0, run.stderr
    most = int(run.stdout_lines[-1].split()[-1])
    # 401 hand-offs of 1 MB: a payload goes within 0.25 s of the app dropping it, so few are ever on disk.
    assert most < 60, most
    assert os.listdir(folder) == []  # emptied when the app ended


def test_payload_folder_is_removed_when_the_app_ends(lightwork):
    run = lightwork(NUMPY_HANDOFF)
    assert run.wait() == 0, run.stderr
    # only this app's folders (named by its pid): other apps may run on the machine meanwhile
    assert [name for name in os.listdir("/dev/shm") if name.startswith(f"{FOLDER_PREFIX}{run.proc.pid}-")] == []


def test_works_putting_and_getting_one_path_at_once(lightwork, tmp_path):
    run = lightwork(
        """
        import os
        import lightwork as L
        from lightwork.storage import Drive

        SIZES = [100_000 + 7919 * i for i in range(4)]

        class Writer(L.LightningWork):
            def __init__(self, i):
                super().__init__(parallel=True)
                self.i = i
                self.drive = Drive("lit://shared")
                self.bad = 0
                self.reads = 0
            def run(self):
                os.makedirs(f"w{self.i}", exist_ok=True)
                os.chdir(f"w{self.i}")  # each work its own local folder, one drive path for all
                for round in range(40):
                    with open("shared.bin", "wb") as f:
                        f.write(bytes([65 + self.i]) * SIZES[self.i])
                    self.drive.put("shared.bin")
                    self.drive.get("shared.bin", overwrite=True)
                    data = open("shared.bin", "rb").read()
                    ok = len(set(data)) == 1 and len(data) == SIZES[data[0] - 65]
                    self.bad += not ok
                    self.reads += 1

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.writers = [Writer(i) for i in range(4)]
            def run(self):
                for w in self.writers:
                    w.run()
                if all(w.has_succeeded for w in self.writers):
                    print("reads", sum(w.reads for w in self.writers), "bad", sum(w.bad for w in self.writers))
                    self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait(120) == 0, run.stderr
    assert run.stdout_lines[-1] == "reads 160 bad 0"
    stored = (tmp_path / ".lightwork" / "drives" / "shared" / "shared.bin").read_bytes()
    assert len(set(stored)) == 1 and len(stored) == 100_000 + 7919 * (stored[0] - 65)
    assert sorted(os.listdir(tmp_path / ".lightwork" / "drives" / "shared")) == ["shared.bin"]


def test_paths_reach_other_works_and_outlive_their_work(lightwork):
    run = lightwork(
        """
        import os
        import lightwork as L

        class Maker(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.result = "lit://out/result.txt"
                self.missing = "lit://out/never-written.txt"
            def run(self):
                os.makedirs("out", exist_ok=True)
                with open(self.result, "w") as f:
                    f.write("made by maker")

        class Reader(L.LightningWork):
            def run(self, result, missing):
                print("reader got", type(result).__name__, result.origin, open(result).read())
                try:
                    missing.get()
                except FileNotFoundError as exc:
                    print("missing:", exc)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.maker = Maker()
                self.reader = Reader()
            def run(self):
                self.maker.run()
                if not self.maker.has_stopped:
                    self.maker.stop()
                self.reader.run(self.maker.result, self.maker.missing)
                self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "root.reader | reader got Path root.maker made by maker" in run.stdout_lines
    assert "root.reader | missing: lit://out/never-written.txt (owned by root.maker) does not exist" in run.stdout_lines


def test_drives_on_s3_across_works(lightwork, s3_server, tmp_path):
    import uuid
    from pathlib import Path

    seed = (Path(__file__).parent.parent / "seeds" / "seed004_drive.py").read_text()
    url = f"s3://lightwork-test/{uuid.uuid4().hex}"
    run = lightwork(seed, env={"LIGHTWORK_STORAGE": url})
    assert run.wait(60) == 0, run.stderr
    assert "drive_1 ['a.txt', 'b.txt'] drive_2 ['b.txt', 'c.txt']" in run.stdout_lines
    assert not (tmp_path / ".lightwork").exists()  # nothing went to the local folder
    listing = lightwork(["drive", "ls", "lit://drive_2", "--storage", url])
    assert listing.wait() == 0 and listing.stdout_lines == ["b.txt", "c.txt"]


PASS_ALONG = """
import lightwork as L
from lightwork.storage import Payload

class Src(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.p = Payload(b"x" * SIZE)  # made while the app file loads

    def run(self):
        pass

class Dst(L.LightningWork):
    def run(self, p):
        print("dst got", len(p.value))

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.src, self.dst = Src(), Dst()

    def run(self):
        self.src.run()
        self.dst.run(self.src.p)
        if self.dst.has_succeeded:
            self.stop()

app = L.LightningApp(F())
"""


def test_a_payload_made_at_load_time_reaches_another_work(lightwork):
    run = lightwork(PASS_ALONG.replace("SIZE", "1000"))
    assert run.wait() == 0, run.stderr
    assert "root.dst | dst got 1000" in run.stdout


def test_two_apps_run_one_after_the_other_in_one_process_both_pass_payloads(tmp_path):
    import subprocess
    import sys

    (tmp_path / "twice.py").write_text(
        PASS_ALONG.replace("SIZE", "1000").replace("app = L.LightningApp(F())", "")
        + "\nfrom lightwork.app.loop import run_app\n"
        + "from lightwork import compat\ncompat.install()\n"
        + "print('first', run_app(L.LightningApp(F())), flush=True)\n"
        + "print('second', run_app(L.LightningApp(F())), flush=True)\n"
    )
    done = subprocess.run([sys.executable, "twice.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "first 0" in done.stdout and "second 0" in done.stdout, done.stderr
    assert done.stdout.count("dst got 1000") == 2


def test_a_payload_too_big_for_the_payload_folder_goes_to_disk(lightwork, tmp_path):
    import subprocess

    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        run = lightwork(PASS_ALONG.replace("SIZE", str(4 * 2**20)), env={"LIGHTWORK_PAYLOAD_DIR": str(small)})
        assert run.wait() == 0, run.stderr
        assert f"root.dst | dst got {4 * 2**20}" in run.stdout
        assert os.listdir(small) == []
    finally:
        subprocess.run(["umount", str(small)], check=True)
