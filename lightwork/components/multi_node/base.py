"""MultiNode: one work per node of a distributed job; each is told where rank 0 listens (Lightning Apps' MultiNode).

On Ray every rank is its own actor, on a node of its own while the cluster has nodes enough, and `main_address`
is the address of rank 0's node. Elsewhere the app runs on one machine, so one rank runs, unless
LIGHTWORK_MULTI_NODE_LOCAL=1 asks for all of them (ranks on one GPU machine share its GPUs).
"""
from __future__ import annotations

import os
import sys
import uuid
from typing import Any

from ...core import context
from ...core.compute import CloudCompute
from ...core.flow import LightningFlow
from ...core.structures import List
from ...runtime.ray_actors import SPREAD_ATTRIBUTE

LOCAL_RANKS_VARIABLE = "LIGHTWORK_MULTI_NODE_LOCAL"


def ranks_to_start(component: str, num_nodes: Any) -> int:
    """How many of `num_nodes` ranks this app starts: all on Ray or when LIGHTWORK_MULTI_NODE_LOCAL=1, else
    one, and a line on stderr says so."""
    if isinstance(num_nodes, bool) or not isinstance(num_nodes, int) or num_nodes < 1:
        raise ValueError(f"{component}: num_nodes must be a whole number of at least 1, not {num_nodes!r}")
    if num_nodes == 1 or context.runtime == "ray" or os.environ.get(LOCAL_RANKS_VARIABLE, "") not in ("", "0"):
        return num_nodes
    print(f"lightwork: {component}(num_nodes={num_nodes}) runs one node on this machine; num_nodes applies with "
          f"--runtime ray (or set {LOCAL_RANKS_VARIABLE}=1 to run all {num_nodes} ranks here)", file=sys.stderr, flush=True)
    return 1


def spread(works) -> None:
    """Ask the Ray runtime to place `works` on distinct nodes while the cluster has nodes that can hold them."""
    group = uuid.uuid4().hex
    for work in works:
        setattr(work, SPREAD_ATTRIBUTE, group)


class MultiNode(LightningFlow):
    """Runs `work_cls(*work_args, cloud_compute=<a clone of cloud_compute>, parallel=True, **work_kwargs)` once
    per node, as `self.ws[node_rank]`, and calls each `run(main_address, main_port, num_nodes, node_rank)`:
    rank 0 listens at `main_address:main_port` and the other ranks connect to it. A rank that succeeded is stopped.
    """

    def __init__(self, work_cls: type, num_nodes: int, cloud_compute: CloudCompute | None = None, *work_args: Any, **work_kwargs: Any) -> None:
        super().__init__()
        count = ranks_to_start(type(self).__name__, num_nodes)
        compute = cloud_compute if cloud_compute is not None else CloudCompute()
        self.ws = List(*[work_cls(*work_args, **{**work_kwargs, "cloud_compute": compute.clone(), "parallel": True}) for _ in range(count)])
        spread(self.ws)

    def run(self) -> None:
        addresses = [work.internal_ip for work in self.ws]
        if not all(addresses):  # on Ray: some rank's actor is not placed yet, so rank 0's address is unknown
            for work in self.ws:
                work.start()
            return
        for node_rank, work in enumerate(self.ws):
            work.run(main_address=addresses[0], main_port=self.ws[0].port, num_nodes=len(self.ws), node_rank=node_rank)
            if work.has_succeeded:
                work.stop()
