"""MultiNode on this machine: one node (and a line saying num_nodes applies on Ray), or all ranks when asked;
the rule that waits for rank 0's address; the torch variants' install hint. Ranks on a Ray cluster:
tests/runtime/test_ray_cluster.py."""
import importlib.util

import pytest

import lightwork as L
from lightwork.app.loop import AppLoop
from lightwork.components import (FabricMultiNode, LightningTrainerMultiNode, LightningTrainerScript, MultiNode,
                                  PyTorchLightningScriptRunner, PyTorchSpawnMultiNode)
from lightwork.core import context
from lightwork.runtime.base import Runtime
from lightwork.runtime.protocol import Call

RENDEZVOUS = """
import socket
import time

import lightning as L
from lightning.app.components import MultiNode


class Rank(L.LightningWork):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.heard = []
        self.done = False

    def run(self, main_address, main_port, num_nodes, node_rank):
        if node_rank == 0:  # listens where it was told; every other rank connects, and they exchange ranks
            with socket.create_server((main_address, main_port)) as server:
                for _ in range(num_nodes - 1):
                    conn, _ = server.accept()
                    with conn:
                        self.heard = sorted(self.heard + [int(conn.recv(16))])
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
        print(f"rank {node_rank} of {num_nodes} at {main_address} heard {self.heard}")
        self.done = True


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.job = MultiNode(Rank, num_nodes=3, cloud_compute=L.CloudCompute("gpu"))

    def run(self):
        self.job.run()
        if all(rank.has_stopped for rank in self.job.ws):  # each rank is stopped once it succeeded
            print("ranks", [rank.name for rank in self.job.ws])
            print("all done", all(rank.done for rank in self.job.ws))
            self.stop("done")


app = L.LightningApp(Root())
"""


def test_locally_one_node_runs_and_one_line_says_num_nodes_applies_on_ray(lightwork):
    run = lightwork(RENDEZVOUS, env={"LIGHTWORK_NO_UI": "1"})
    assert run.wait(60) == 0, run.stderr
    assert run.stderr.strip().splitlines() == [
        "lightwork: MultiNode(num_nodes=3) runs one node on this machine; num_nodes applies with --runtime ray "
        "(or set LIGHTWORK_MULTI_NODE_LOCAL=1 to run all 3 ranks here)"
    ]
    assert "root.job.ws.0 | rank 0 of 1 at 127.0.0.1 heard []" in run.stdout_lines
    assert "ranks ['root.job.ws.0']" in run.stdout_lines


def test_all_ranks_run_here_when_asked_and_meet_at_rank_0(lightwork):
    run = lightwork(RENDEZVOUS, env={"LIGHTWORK_MULTI_NODE_LOCAL": "1", "LIGHTWORK_NO_UI": "1"})
    assert run.wait(60) == 0, run.stderr
    assert "num_nodes applies" not in run.stderr
    assert "root.job.ws.0 | rank 0 of 3 at 127.0.0.1 heard [1, 2]" in run.stdout_lines
    assert "root.job.ws.1 | rank 1 of 3 at 127.0.0.1 heard [0]" in run.stdout_lines
    assert "root.job.ws.2 | rank 2 of 3 at 127.0.0.1 heard [0]" in run.stdout_lines
    assert "ranks ['root.job.ws.0', 'root.job.ws.1', 'root.job.ws.2']" in run.stdout_lines
    assert "all done True" in run.stdout_lines


class Rank(L.LightningWork):
    def run(self, main_address, main_port, num_nodes, node_rank):
        pass


@pytest.fixture
def on_ray():
    context.set_runtime("ray")
    yield
    context.set_runtime(None)


def test_each_rank_is_a_parallel_work_with_its_own_copy_of_the_cloud_compute(on_ray):
    compute = L.CloudCompute("gpu")
    job = MultiNode(Rank, num_nodes=3, cloud_compute=compute)
    assert [type(w) for w in job.ws] == [Rank] * 3 and all(w.parallel for w in job.ws)
    ids = {w.cloud_compute._internal_id for w in job.ws}
    assert len(ids) == 3 and compute._internal_id not in ids
    assert {w.cloud_compute.name for w in job.ws} == {"gpu"}


@pytest.mark.parametrize("num_nodes", [0, 1.5, "2", True])
def test_num_nodes_must_be_a_whole_number_of_at_least_one(num_nodes):
    with pytest.raises(ValueError, match=f"MultiNode: num_nodes must be a whole number of at least 1, not {num_nodes!r}"):
        MultiNode(Rank, num_nodes=num_nodes, cloud_compute=L.CloudCompute())


class PlacingRuntime(Runtime):
    """In memory, like a runtime that places works on other machines: a work has no address until `place`."""

    def __init__(self, root, cleanup=()):
        self.started, self.sent, self.alive, self.addresses = [], [], set(), {}

    def start(self, work):
        self.started.append(work.name)
        self.alive.add(work.name)

    def is_alive(self, name):
        return name in self.alive

    def send(self, name, message):
        self.sent.append((name, message))

    def receive(self, timeout):
        return []

    def stop(self, name, grace):
        self.alive.discard(name)

    def shutdown(self, grace):
        self.alive.clear()

    def node_address(self, name):
        return self.addresses.get(name, "")


def test_ranks_are_called_once_every_rank_is_placed_with_rank_0s_address(on_ray):
    class Root(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.job = MultiNode(Rank, num_nodes=2, cloud_compute=L.CloudCompute())

        def run(self):
            self.job.run()

    loop = AppLoop(L.LightningApp(Root()), runtime_factory=PlacingRuntime)
    try:
        runtime = loop.runtime
        loop._run_pass()
        assert runtime.started == ["root.job.ws.0", "root.job.ws.1"] and runtime.sent == []
        runtime.addresses["root.job.ws.1"] = "10.0.0.2"
        loop._run_pass()
        assert runtime.sent == [] and runtime.started == ["root.job.ws.0", "root.job.ws.1"]  # started once
        runtime.addresses["root.job.ws.0"] = "10.0.0.1"
        loop._run_pass()
        calls = {name: message for name, message in runtime.sent if isinstance(message, Call)}
        port = loop.root.job.ws[0].port
        assert calls["root.job.ws.0"].kwargs == {"main_address": "10.0.0.1", "main_port": port, "num_nodes": 2, "node_rank": 0}
        assert calls["root.job.ws.1"].kwargs == {"main_address": "10.0.0.1", "main_port": port, "num_nodes": 2, "node_rank": 1}
    finally:
        loop.shutdown()


VARIANTS = [
    (lambda: PyTorchSpawnMultiNode(Rank, L.CloudCompute(), 2), "PyTorchSpawnMultiNode needs torch, which is not installed: pip install torch"),
    (lambda: LightningTrainerMultiNode(Rank, L.CloudCompute(), 2),
     "LightningTrainerMultiNode needs torch and pytorch-lightning, which are not installed: pip install torch pytorch-lightning"),
    (lambda: FabricMultiNode(Rank, L.CloudCompute(), 2),
     "FabricMultiNode needs torch and lightning-fabric, which are not installed: pip install torch lightning-fabric"),
    (lambda: LightningTrainerScript("train.py", num_nodes=2),
     "LightningTrainerScript needs torch and pytorch-lightning, which are not installed: pip install torch pytorch-lightning"),
    (lambda: PyTorchLightningScriptRunner("train.py"),
     "PyTorchLightningScriptRunner needs torch and pytorch-lightning, which are not installed: pip install torch pytorch-lightning"),
]


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed here")
@pytest.mark.parametrize(("make", "message"), VARIANTS)
def test_torch_variants_without_torch_fail_at_construction_with_the_install_command(make, message, capsys):
    with pytest.raises(ImportError) as raised:
        make()
    assert str(raised.value) == message
    assert capsys.readouterr().err == ""  # refused before anything else is said
