"""Two Ray nodes on this machine (ray.cluster_utils.Cluster): placement, data across nodes, a node removed."""
import logging
import pathlib
import shutil
import uuid

import pytest

CROSSING = """
import os
import numpy as np
import ray
import lightning as L
from lightning.app.storage import Drive, Path, Payload

class Maker(L.LightningWork):
    def __init__(self):
        super().__init__(cloud_compute=L.CloudCompute("default", resources={"node_a": 1}))
        self.node = ""
        self.payload = None
        self.path = None
        self.drive = Drive("lit://shared")

    def run(self):
        self.node = ray.get_runtime_context().get_node_id()
        self.payload = Payload(np.arange(1_000_000, dtype=np.int64))
        os.makedirs("out", exist_ok=True)
        with open("out/made.txt", "w") as handle:
            handle.write("made on node a")
        self.path = Path("lit://out/made.txt")
        with open("note.txt", "w") as handle:
            handle.write("in the drive")
        self.drive.put("note.txt")

class Taker(L.LightningWork):
    def __init__(self):
        super().__init__(cloud_compute=L.CloudCompute("default", resources={"node_b": 1}))
        self.node = ""
        self.result = ""
        self.from_store = False

    def run(self, payload, path, drive):
        self.node = ray.get_runtime_context().get_node_id()
        array = payload.value
        # Read over Ray's object store (read-only, no copy), never through a folder of the app's machine.
        self.from_store = not array.flags.writeable and "LIGHTWORK_PAYLOAD_DIR" not in os.environ
        drive.get("note.txt")
        with open(path) as made, open("note.txt") as note:
            self.result = f"{int(array.sum())} {made.read()} {note.read()}"

class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.maker = Maker()
        self.taker = Taker()

    def run(self):
        self.maker.run()
        if self.maker.path is not None and not self.maker.has_stopped:
            self.maker.stop()  # its payload outlives it: Ray would drop an object with the process that made it
        if self.maker.has_stopped:
            self.taker.run(self.maker.payload, self.maker.path, self.maker.drive)
        if self.taker.result:
            print("result", self.taker.result)
            print("from the object store", self.taker.from_store)
            print("different nodes", self.maker.node != self.taker.node and "" not in (self.maker.node, self.taker.node))
            self.stop("done")

app = L.LightningApp(Root())
"""

DOOMED = """
import time
import lightning as L

class Stayer(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True, cloud_compute=L.CloudCompute("default", resources={"node_c": 1}))
        self.ticks = 0

    def run(self):
        while True:
            self.ticks += 1
            time.sleep(0.01)

class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Stayer()
        self.said = False

    def run(self):
        self.w.run()
        if self.w.ticks and not self.said:
            self.said = True
            import os, ray
            keeper = ray.get_actor(os.environ["LIGHTWORK_RAY_PAYLOADS"])
            print("payload keeper on the app's node", ray.get(keeper.node_id.remote()) == ray.get_runtime_context().get_node_id())
            print("running on node c")

app = L.LightningApp(Root())
"""

RENDEZVOUS = """
import socket
import time
import ray
import lightning as L
from lightning.app.components import MultiNode

class Rank(L.LightningWork):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.node = ""
        self.address = ""
        self.heard = []

    def run(self, main_address, main_port, num_nodes, node_rank):
        self.node = ray.get_runtime_context().get_node_id()
        self.address = ray.util.get_node_ip_address()
        if node_rank == 0:  # listens where it was told; the other rank connects, and they exchange ranks
            with socket.create_server((main_address, main_port)) as server:
                conn, _ = server.accept()
                with conn:
                    self.heard = [int(conn.recv(16))]
                    conn.sendall(b"0")
        else:
            for _ in range(600):
                try:
                    conn = socket.create_connection((main_address, main_port), timeout=5)
                    break
                except OSError:
                    time.sleep(0.1)
            with conn:
                conn.sendall(str(node_rank).encode())
                self.heard = [int(conn.recv(16))]

class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        # A little CPU each: left to itself, Ray would pack both ranks on the first node
        self.job = MultiNode(Rank, num_nodes=2, cloud_compute=L.CloudCompute("default", cpus=0.1))

    def run(self):
        self.job.run()
        first, second = self.job.ws
        if first.heard and second.heard:
            print("heard", first.heard, second.heard)
            print("distinct nodes", first.node != second.node)
            print("main_address is rank 0's node", first.internal_ip == first.address)
            self.stop("done")

app = L.LightningApp(Root())
"""


@pytest.fixture(scope="module")
def cluster(s3_server):
    """A head node (node_a) and a second node (node_b), started after the S3 server so they see its address."""
    from ray.cluster_utils import Cluster

    made = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": {"node_a": 1}, "include_dashboard": False})
    try:
        made.add_node(num_cpus=1, resources={"node_b": 1})
        made.wait_for_nodes()
        yield made
    finally:
        made.shutdown()


def env_for(cluster, storage: bool = True) -> dict:
    env = {"LIGHTWORK_RUNTIME": "ray", "RAY_ADDRESS": cluster.address, "LIGHTWORK_NO_UI": "1"}
    if storage:
        env["LIGHTWORK_STORAGE"] = f"s3://lightwork-test/{uuid.uuid4().hex}"
    return env


def test_payload_path_and_drive_cross_between_works_on_two_nodes(lightwork, cluster):
    run = lightwork(CROSSING, env=env_for(cluster))
    assert run.wait(120) == 0, run.stderr
    assert f"result {sum(range(1_000_000))} made on node a in the drive" in run.stdout_lines
    assert "different nodes True" in run.stdout_lines
    assert "from the object store True" in run.stdout_lines


def test_local_storage_with_two_nodes_is_refused_before_anything_runs(lightwork, cluster):
    run = lightwork(CROSSING, env=env_for(cluster, storage=False))
    assert run.wait(60) == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "the Ray cluster has 2 nodes but the storage is a local folder" in lines[0]
    assert "set LIGHTWORK_STORAGE to a shared URL" in lines[0]


def test_a_removed_node_fails_its_work_with_the_reason(lightwork, cluster):
    node = cluster.add_node(num_cpus=1, resources={"node_c": 1})
    cluster.wait_for_nodes()
    run = lightwork(DOOMED, env=env_for(cluster))
    run.wait_line("running on node c", timeout=60)
    cluster.remove_node(node)
    assert run.wait(60) == 1
    assert "work root.w failed" in run.stderr and "Ray actor died" in run.stderr, run.stderr
    assert "payload keeper on the app's node True" in run.stdout_lines  # it must not go away with node c


APPS = pathlib.Path(__file__).parent / "apps"


def test_a_folder_path_crosses_nodes_as_it_does_on_the_process_runtime(lightwork, cluster, tmp_path):
    source = (APPS / "folders.py").read_text()
    local = lightwork(source, env={"LIGHTWORK_NO_UI": "1"})
    assert local.wait(60) == 0, local.stderr
    shutil.rmtree(tmp_path / "outputs")
    run = lightwork(source, env={**env_for(cluster), "MAKER_NODE": "node_a", "READER_NODE": "node_b"})
    assert run.wait(120) == 0, run.stderr
    rounds = [line for line in local.stdout_lines if line.startswith("round")]
    assert len(rounds) == 4 and [line for line in run.stdout_lines if line.startswith("round")] == rounds


def test_a_traceback_from_another_node_is_the_one_of_the_process_runtime(lightwork, cluster, tmp_path):
    source = (APPS / "failing.py").read_text()
    local = lightwork(source, env={"LIGHTWORK_NO_UI": "1"})
    assert local.wait(60) == 1
    run = lightwork(source, env={**env_for(cluster), "WORK_NODE": "node_b", "MOVE_APP_FILE": "1"})
    assert run.wait(120) == 1
    assert (tmp_path / "app.py.moved").exists()  # the work's node had no app file when it failed
    assert run.stderr[run.stderr.index("Traceback"):] == local.stderr[local.stderr.index("Traceback"):]
    assert 'line 9, in divide\n    return 1 / x' in run.stderr


def test_multi_node_ranks_meet_at_rank_0_on_distinct_nodes(lightwork, cluster, tmp_path):
    (tmp_path / "app.py").write_text(RENDEZVOUS)
    env = {k: v for k, v in env_for(cluster).items() if k not in ("LIGHTWORK_RUNTIME", "RAY_ADDRESS")}
    run = lightwork(["run", "app.py", "--runtime", "ray", "--ray-address", cluster.address], env=env)
    assert run.wait(120) == 0, run.stderr
    assert "heard [1] [0]" in run.stdout_lines
    assert "distinct nodes True" in run.stdout_lines
    assert "main_address is rank 0's node True" in run.stdout_lines
    assert "num_nodes applies" not in run.stderr


logging.getLogger("ray").setLevel(logging.WARNING)
