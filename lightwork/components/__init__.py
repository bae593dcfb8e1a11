"""Ready-made components: scripts run as works, servers, and an autoscaler (the peer's `lightning.app.components`)."""
from .auto_scaler import AutoScaler
from .python import Code, PopenPythonScript, TracerPythonScript
from .serve import Category, Image, Number, PythonServer, ServeGradio, ServeStreamlit, Text

__all__ = ["AutoScaler", "Category", "Code", "Image", "Number", "PopenPythonScript", "PythonServer", "ServeGradio",
           "ServeStreamlit", "Text", "TracerPythonScript"]

# The peer's components that only made sense on its cloud or need a deep-learning stack: a clear refusal.
_NOT_HERE = {
    **dict.fromkeys(("MultiNode", "FabricMultiNode", "LightningTrainerMultiNode", "PyTorchSpawnMultiNode",
                     "LightningTrainerScript", "PyTorchLightningScriptRunner", "LiteMultiNode",
                     "LightningTrainingComponent"),
                    "multi-node training ran on the peer's cloud machines; start torch.distributed yourself in a work"),
    **dict.fromkeys(("Database", "DatabaseClient"), "use a database server of your own (or Drive for files)"),
    "ColdStartProxy": "the AutoScaler's requests wait for a replica instead",
    "ModelInferenceAPI": "use PythonServer",
}


def __getattr__(name: str):
    if name in _NOT_HERE:
        raise ImportError(f"lightning.app.components.{name} is not available in lightwork: {_NOT_HERE[name]} (docs/compat.md)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
