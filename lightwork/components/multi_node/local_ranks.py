"""The processes of one node in the torch variants of MultiNode: one per GPU of the node, one without GPUs.

Local rank 0 runs in the work's own process, so its state changes reach the app as any work's do; the other
local ranks run in child processes, whose output shows as the work's and whose state changes are not kept
(as in Lightning Apps).
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import inspect
import os
import subprocess
import sys
import threading
import warnings

TORCH = ("torch", "torch")  # (module, the package that installs it)
TRAINER = (("lightning.pytorch", "pytorch_lightning"), "pytorch-lightning")
FABRIC = (("lightning.fabric", "lightning_fabric"), "lightning-fabric")
# Strategies that start their own processes: each node's processes are started here instead.
SPAWNING_STRATEGIES = {"ddp_spawn": "ddp", "ddp_fork": "ddp", "ddp_notebook": "ddp", "ddp_sharded_spawn": "ddp_sharded"}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # its parent package is missing
        return False


def require(component: str, *needs: tuple) -> None:
    """Raise ImportError, with the pip command, when a module of `needs` ((module or modules, package), ...) is missing."""
    missing = [package for modules, package in needs
               if not any(_installed(m) for m in ((modules,) if isinstance(modules, str) else modules))]
    if missing:
        raise ImportError(f"{component} needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                          f"not installed: pip install {' '.join(missing)}")


def check_run(component: str, work_cls: type, params: tuple) -> None:
    """Raise TypeError unless `work_cls.run` can be called with the positional `params` and nothing else."""
    try:
        inspect.signature(work_cls.run).bind(None, *params)
    except TypeError:
        wanted = f"({', '.join(params)})" if params else "no arguments"
        raise TypeError(f"{component}: {work_cls.__name__}.run must take {wanted}") from None


def ranked(work_cls: type, rank_run) -> type:
    """A subclass of `work_cls` whose `run(main_address, main_port, num_nodes, node_rank)` runs the node's local
    ranks, each as `rank_run(local_rank, work, user_run, main_address, main_port, num_nodes, node_rank, nprocs)`."""
    user_run = work_cls.run

    def run(self, main_address: str, main_port: int, num_nodes: int, node_rank: int):
        return run_local_ranks(rank_run, self, user_run, (main_address, main_port, num_nodes, node_rank))

    namespace = {"run": run, "__module__": work_cls.__module__, "__qualname__": work_cls.__qualname__, "__doc__": work_cls.__doc__}
    return type(work_cls.__name__, (work_cls,), namespace)


def devices() -> int:
    """How many processes a node runs: one per GPU, or one."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 1


def run_local_ranks(rank_run, work, user_run, node: tuple):
    """Run local rank 0 here and the others in child processes; return rank 0's result once all ended."""
    nprocs = devices()
    others = []
    if nprocs > 1:
        import cloudpickle

        # Plain child Pythons, given the work by value: a multiprocessing "spawn" child would run the app file
        # again, without the aliases of Lightning Apps' packages that lightwork installs.
        blob = cloudpickle.dumps((rank_run, work, user_run, node, nprocs))
        for local_rank in range(1, nprocs):
            child = subprocess.Popen([sys.executable, "-c", f"from {__name__} import run_child; run_child({local_rank})"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            others.append(child)
            for source, target in ((child.stdout, sys.stdout), (child.stderr, sys.stderr)):
                threading.Thread(target=_forward, args=(source, target), daemon=True).start()
            child.stdin.write(blob)
            child.stdin.close()
    try:
        result = rank_run(0, work, user_run, *node, nprocs)
    except BaseException:
        for child in others:
            child.kill()
            child.wait()
        raise
    failed = [(rank, code) for rank, code in enumerate((child.wait() for child in others), start=1) if code]
    if failed:
        raise RuntimeError("local rank " + ", ".join(f"{rank} exited with code {code}" for rank, code in failed))
    return result


def _forward(source, target) -> None:
    """A child's output, line by line, as the work's own (so it reaches the app's terminal on Ray too)."""
    for line in iter(source.readline, b""):
        target.write(line.decode(errors="replace"))
        target.flush()


def run_child(local_rank: int) -> None:
    """In a child process: read the pickled rank from stdin and run it as `local_rank`."""
    import cloudpickle

    from ... import compat
    from ...runtime.forkserver import die_with_parent

    die_with_parent()  # a work that is killed takes its local ranks along
    compat.install()  # the app's classes may name Lightning Apps' packages
    rank_run, work, user_run, node, nprocs = cloudpickle.loads(sys.stdin.buffer.read())
    rank_run(local_rank, work, user_run, *node, nprocs)


def set_rank_environment(local_rank: int, main_address: str, main_port: int, num_nodes: int, node_rank: int, nprocs: int) -> None:
    """The variables torch.distributed and Lightning read: this process is one of an externally launched job."""
    os.environ.update({
        "MASTER_ADDR": main_address,
        "MASTER_PORT": str(main_port),
        "GROUP_RANK": str(node_rank),
        "NODE_RANK": str(node_rank),
        "RANK": str(node_rank * nprocs + local_rank),
        "LOCAL_RANK": str(local_rank),
        "WORLD_SIZE": str(num_nodes * nprocs),
        "LOCAL_WORLD_SIZE": str(nprocs),
        "TORCHELASTIC_RUN_ID": "1",  # Lightning then takes the processes as launched for it
    })


def lightning_packages(modules: tuple) -> list:
    """The installed ones of `modules` (e.g. lightning.pytorch and pytorch_lightning), imported."""
    packages = []
    for name in modules:
        with contextlib.suppress(ImportError):
            packages.append(importlib.import_module(name))
    return packages


def distributed_arguments(component: str, kwargs: dict, packages: list, nprocs: int, num_nodes: int) -> dict:
    """A Trainer's or Fabric's keyword arguments, made to run as this node's share of the job."""
    kwargs = {**kwargs, "devices": nprocs, "num_nodes": num_nodes}
    if any(package.accelerators.MPSAccelerator.is_available() for package in packages):
        if kwargs.get("accelerator", "auto") != "cpu":
            warnings.warn(f"{component}: accelerator='cpu' is used, as MPS does not run distributed jobs", stacklevel=3)
        kwargs["accelerator"] = "cpu"
    else:
        kwargs["accelerator"] = "auto"
    strategy = kwargs.get("strategy")
    if isinstance(strategy, str):
        kwargs["strategy"] = SPAWNING_STRATEGIES.get(strategy, strategy)
    elif any(isinstance(strategy, p.strategies.DDPStrategy) for p in packages) and getattr(strategy, "_start_method", "popen") != "popen":
        raise ValueError(f"{component}: a DDPStrategy with start_method={strategy._start_method!r} starts processes "
                         f"itself, which {component} does; use strategy='ddp' or DDPStrategy()")
    return kwargs


@contextlib.contextmanager
def adjusted_init(classes: list, adjust):
    """While inside: each of `classes` is made with its keyword arguments passed through `adjust(kwargs)`."""
    originals = [(cls, cls.__dict__.get("__init__")) for cls in classes]
    for cls in classes:
        init = cls.__init__

        @functools.wraps(init)
        def patched(self, *args, _init=init, **kwargs):
            _init(self, *args, **adjust(kwargs))

        cls.__init__ = patched
    try:
        yield
    finally:
        for cls, original in originals:
            if original is None:
                del cls.__init__
            else:
                cls.__init__ = original
