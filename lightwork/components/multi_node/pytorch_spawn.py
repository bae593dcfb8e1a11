"""PyTorchSpawnMultiNode: a MultiNode whose work's `run(world_size, node_rank, global_rank, local_rank)` runs once
per GPU of each node, in a torch.distributed process group that is set up before it runs."""
from __future__ import annotations

from typing import Any

from ...core.compute import CloudCompute
from . import local_ranks
from .base import MultiNode

RUN_PARAMS = ("world_size", "node_rank", "global_rank", "local_rank")


def _process_group_rank(local_rank: int, work, user_run, main_address: str, main_port: int, num_nodes: int, node_rank: int, nprocs: int):
    import torch
    import torch.distributed

    global_rank, world_size = node_rank * nprocs + local_rank, num_nodes * nprocs
    if torch.distributed.is_available():
        if not torch.distributed.is_initialized():
            torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo", rank=global_rank,
                                                 world_size=world_size, init_method=f"tcp://{main_address}:{main_port}")
    elif world_size > 1:
        raise RuntimeError("PyTorchSpawnMultiNode: this torch has no torch.distributed, which a job of more than one process needs")
    return user_run(work, world_size, node_rank, global_rank, local_rank)


class PyTorchSpawnMultiNode(MultiNode):
    """`num_nodes` works of `work_cls`; on each node, one process per GPU (one without GPUs) joins the process
    group (NCCL on GPUs, else Gloo) and calls `run(world_size, node_rank, global_rank, local_rank)`."""

    def __init__(self, work_cls: type, cloud_compute: CloudCompute | None, num_nodes: int, *work_args: Any, **work_kwargs: Any) -> None:
        local_ranks.require(type(self).__name__, local_ranks.TORCH)
        local_ranks.check_run(type(self).__name__, work_cls, RUN_PARAMS)
        super().__init__(local_ranks.ranked(work_cls, _process_group_rank), num_nodes, cloud_compute, *work_args, **work_kwargs)
