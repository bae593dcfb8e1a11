"""Distributed jobs over several nodes: `MultiNode` for any code, and its torch and Lightning variants."""
from .base import MultiNode
from .fabric import FabricMultiNode
from .pytorch_spawn import PyTorchSpawnMultiNode
from .trainer import LightningTrainerMultiNode

__all__ = ["FabricMultiNode", "LightningTrainerMultiNode", "MultiNode", "PyTorchSpawnMultiNode"]
