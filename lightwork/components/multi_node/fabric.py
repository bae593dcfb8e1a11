"""FabricMultiNode: a MultiNode whose work's `run()` makes a Lightning Fabric; each node runs it once per GPU
(once without GPUs), and Fabric is told the job's devices, nodes and ranks."""
from __future__ import annotations

import os
from typing import Any

from ...core.compute import CloudCompute
from . import local_ranks
from .base import MultiNode


def _fabric_rank(local_rank: int, work, user_run, main_address: str, main_port: int, num_nodes: int, node_rank: int, nprocs: int):
    local_ranks.set_rank_environment(local_rank, main_address, main_port, num_nodes, node_rank, nprocs)
    os.environ["LT_CLI_USED"] = "1"  # Fabric sets up the process group itself, as under its own launcher
    packages = local_ranks.lightning_packages(local_ranks.FABRIC[0])

    def adjust(kwargs: dict) -> dict:
        return local_ranks.distributed_arguments("FabricMultiNode", kwargs, packages, nprocs, num_nodes)

    with local_ranks.adjusted_init([package.Fabric for package in packages], adjust):
        return user_run(work)


class FabricMultiNode(MultiNode):
    """`num_nodes` works of `work_cls`, whose `run()` uses Lightning Fabric (lightning.fabric or lightning_fabric):
    its `devices`, `num_nodes` and `accelerator` are set for the job, a spawning strategy (`"ddp_spawn"`) becomes
    its plain one (`"ddp"`), and the processes are started by lightwork."""

    def __init__(self, work_cls: type, cloud_compute: CloudCompute | None, num_nodes: int, *work_args: Any, **work_kwargs: Any) -> None:
        local_ranks.require(type(self).__name__, local_ranks.TORCH, local_ranks.FABRIC)
        local_ranks.check_run(type(self).__name__, work_cls, ())
        super().__init__(local_ranks.ranked(work_cls, _fabric_rank), num_nodes, cloud_compute, *work_args, **work_kwargs)
