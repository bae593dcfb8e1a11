"""Ready-made components: scripts run as works, servers, and an autoscaler (the peer's `lightning.app.components`)."""
from .auto_scaler import AutoScaler
from .python import PopenPythonScript, TracerPythonScript
from .serve import Category, Image, Number, PythonServer, ServeGradio, ServeStreamlit, Text

__all__ = ["AutoScaler", "Category", "Image", "Number", "PopenPythonScript", "PythonServer", "ServeGradio",
           "ServeStreamlit", "Text", "TracerPythonScript"]
