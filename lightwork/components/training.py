"""LightningTrainerScript: a Lightning training script run on several nodes, one PyTorchLightningScriptRunner
(a TracerPythonScript) per node, told rank 0's address through the variables Lightning reads."""
from __future__ import annotations

import importlib
import os
from typing import Any

from ..core.compute import CloudCompute
from ..core.flow import LightningFlow
from ..core.structures import List
from .multi_node import local_ranks
from .multi_node.base import ranks_to_start, spread
from .python import TracerPythonScript


class PyTorchLightningScriptRunner(TracerPythonScript):
    """Runs a script that trains with a Lightning Trainer as node `node_rank` of `num_nodes`; afterwards
    `best_model_path`, `best_model_score` and `monitor` are read from the Trainer's checkpoint callback."""

    def __init__(self, script_path: str, script_args=None, node_rank: int = 1, num_nodes: int = 1, sanity_serving: bool = False,
                 cloud_compute: CloudCompute | None = None, parallel: bool = True, raise_exception: bool = True,
                 env: dict | None = None, **kwargs: Any) -> None:
        local_ranks.require(type(self).__name__, local_ranks.TORCH, local_ranks.TRAINER)
        super().__init__(script_path, script_args, env=env, raise_exception=raise_exception, parallel=parallel, cloud_compute=cloud_compute, **kwargs)
        self.node_rank = node_rank
        self.num_nodes = num_nodes
        self.sanity_serving = sanity_serving
        self.best_model_path = None
        self.best_model_score = None
        self.monitor = None
        self.has_finished = False

    def configure_tracer(self):
        tracer = super().configure_tracer()
        for package in local_ranks.lightning_packages(local_ranks.TRAINER[0]):
            tracer.add_traced(package.Trainer, "__init__", pre_fn=self._trainer_init_pre_middleware)
        return tracer

    def run(self, internal_urls: list | None = None, **kwargs: Any):
        """With `internal_urls` ([(address, port)] of every node, rank 0's first): run the script as this node."""
        if not internal_urls:
            print(f"node {self.node_rank} started")
            return None
        os.environ.update({
            "MASTER_ADDR": internal_urls[0][0],
            "MASTER_PORT": str(internal_urls[0][1]),
            "NODE_RANK": str(self.node_rank),
            "PL_TRAINER_NUM_NODES": str(self.num_nodes),
            "PL_TRAINER_DEVICES": "auto",
            "PL_TRAINER_ACCELERATOR": "auto",
        })
        return super().run(**kwargs)

    def on_after_run(self, script_globals: dict):
        super().on_after_run(script_globals)
        from ..storage.path import Path

        packages = local_ranks.lightning_packages(local_ranks.TRAINER[0])
        trainer_types = tuple(p.Trainer for p in packages)
        cli_types = tuple(p.cli.LightningCLI for p in packages if _has_cli(p))
        for value in script_globals.values():
            if cli_types and isinstance(value, cli_types):
                trainer = value.trainer
                break
            if isinstance(value, trainer_types):
                trainer = value
                break
        else:
            raise RuntimeError(f"{type(self).__name__}: {self.script_path} left no Trainer (or LightningCLI) among its globals")
        checkpoint = trainer.checkpoint_callback
        if checkpoint is not None:
            self.monitor = checkpoint.monitor
            if checkpoint.best_model_score is not None:
                self.best_model_score = float(checkpoint.best_model_score)
            path = checkpoint.best_model_path or checkpoint.last_model_path  # without a monitor: the latest
            if path:
                self.best_model_path = Path(path)
        self.has_finished = True

    def _trainer_init_pre_middleware(self, trainer, *args: Any, **kwargs: Any):
        if self.node_rank == 0 and self.sanity_serving:  # check that the model can be served, on one node
            package = next(p for p in local_ranks.lightning_packages(local_ranks.TRAINER[0]) if isinstance(trainer, p.Trainer))
            validator = importlib.import_module(f"{package.__name__}.serve").ServableModuleValidator
            kwargs["callbacks"] = list(kwargs.get("callbacks") or []) + [validator()]
        return {}, args, kwargs


def _has_cli(package) -> bool:
    try:
        importlib.import_module(f"{package.__name__}.cli")
    except ImportError:  # the CLI needs jsonargparse, an extra
        return False
    return True


class LightningTrainerScript(LightningFlow):
    """Runs `script_path` (which trains with a Lightning Trainer) on `num_nodes` nodes: `self.ws[node_rank]` is
    a `script_runner` work per node. As MultiNode: all nodes on Ray, one elsewhere."""

    def __init__(self, script_path: str, script_args=None, num_nodes: int = 1, cloud_compute: CloudCompute | None = None,
                 sanity_serving: bool = False, script_runner: type = PyTorchLightningScriptRunner, **script_runner_kwargs: Any) -> None:
        super().__init__()
        if isinstance(script_runner, type) and issubclass(script_runner, PyTorchLightningScriptRunner):
            local_ranks.require(type(self).__name__, local_ranks.TORCH, local_ranks.TRAINER)
        self.script_path = script_path
        self.script_args = script_args
        self.num_nodes = ranks_to_start(type(self).__name__, num_nodes)
        self.sanity_serving = sanity_serving
        compute = cloud_compute if cloud_compute is not None else CloudCompute()
        self.ws = List(*[script_runner(script_path=script_path, script_args=script_args, cloud_compute=compute.clone(),
                                       node_rank=node_rank, sanity_serving=sanity_serving, num_nodes=self.num_nodes,
                                       **script_runner_kwargs) for node_rank in range(self.num_nodes)])
        spread(self.ws)

    def run(self, **run_kwargs: Any) -> None:
        if not all(work.internal_ip for work in self.ws):  # on Ray: rank 0's node is not known yet
            for work in self.ws:
                work.start()
            return
        internal_urls = [(work.internal_ip, work.port) for work in self.ws]
        for work in self.ws:
            work.run(internal_urls=internal_urls, **run_kwargs)
        if all(work.has_finished for work in self.ws):
            for work in self.ws:
                if not work.has_stopped:
                    work.stop()

    @property
    def best_model_score(self) -> float | None:
        return self.ws[0].best_model_score

    @property
    def best_model_paths(self) -> list:
        return [work.best_model_path for work in self.ws]
