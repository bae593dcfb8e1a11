"""LightningTrainerMultiNode: a MultiNode whose work's `run()` makes a Lightning Trainer; each node runs it once
per GPU (once without GPUs), and the Trainer is told the job's devices, nodes and ranks."""
from __future__ import annotations

from typing import Any

from ...core.compute import CloudCompute
from . import local_ranks
from .base import MultiNode


def _trainer_rank(local_rank: int, work, user_run, main_address: str, main_port: int, num_nodes: int, node_rank: int, nprocs: int):
    local_ranks.set_rank_environment(local_rank, main_address, main_port, num_nodes, node_rank, nprocs)
    packages = local_ranks.lightning_packages(local_ranks.TRAINER[0])

    def adjust(kwargs: dict) -> dict:
        return local_ranks.distributed_arguments("LightningTrainerMultiNode", kwargs, packages, nprocs, num_nodes)

    with local_ranks.adjusted_init([package.Trainer for package in packages], adjust):
        return user_run(work)


class LightningTrainerMultiNode(MultiNode):
    """`num_nodes` works of `work_cls`, whose `run()` trains with a Lightning Trainer (lightning.pytorch or
    pytorch_lightning): its `devices`, `num_nodes` and `accelerator` are set for the job, a spawning strategy
    (`"ddp_spawn"`) becomes its plain one (`"ddp"`), and the processes are started by lightwork."""

    def __init__(self, work_cls: type, cloud_compute: CloudCompute | None, num_nodes: int, *work_args: Any, **work_kwargs: Any) -> None:
        local_ranks.require(type(self).__name__, local_ranks.TORCH, local_ranks.TRAINER)
        local_ranks.check_run(type(self).__name__, work_cls, ())
        super().__init__(local_ranks.ranked(work_cls, _trainer_rank), num_nodes, cloud_compute, *work_args, **work_kwargs)
