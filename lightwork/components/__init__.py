"""Ready-made components: scripts run as works, servers, an autoscaler and multi-node jobs (those of `lightning.app.components`)."""
from .auto_scaler import AutoScaler
from .multi_node import FabricMultiNode, LightningTrainerMultiNode, MultiNode, PyTorchSpawnMultiNode
from .python import Code, PopenPythonScript, TracerPythonScript
from .serve import Category, Image, Number, PythonServer, ServeGradio, ServeStreamlit, Text
from .training import LightningTrainerScript, PyTorchLightningScriptRunner

__all__ = ["AutoScaler", "Category", "Code", "FabricMultiNode", "Image", "LightningTrainerMultiNode", "LightningTrainerScript",
           "MultiNode", "Number", "PopenPythonScript", "PyTorchLightningScriptRunner", "PyTorchSpawnMultiNode", "PythonServer",
           "ServeGradio", "ServeStreamlit", "Text", "TracerPythonScript"]

# Lightning Apps' components that only made sense on its cloud: a clear refusal.
_NOT_HERE = {
    **dict.fromkeys(("LiteMultiNode", "LightningTrainingComponent"),
                    "Lightning Apps' older multi-node names; use MultiNode or LightningTrainerMultiNode"),
    **dict.fromkeys(("Database", "DatabaseClient"), "use a database server of your own (or Drive for files)"),
    "ColdStartProxy": "the AutoScaler's requests wait for a replica instead",
    "ModelInferenceAPI": "use PythonServer",
}


def __getattr__(name: str):
    if name in _NOT_HERE:
        raise ImportError(f"lightning.app.components.{name} is not available in lightwork: {_NOT_HERE[name]} (docs/compat.md)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
