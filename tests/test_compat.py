"""The peer's package names resolve to lightwork once `compat.install()` ran (as `lightwork run` does)."""
import subprocess
import sys

CHECK = """
import lightwork.compat as compat
print(compat.install())
import lightning as L
import lightning_app as la
import lightning_app.storage, lightning_app.structures
from lightning_app.storage import Payload, Drive, Path
from lightning_app.storage.drive import Drive as DriveAgain
import lightwork.storage
assert Drive is DriveAgain is lightwork.storage.Drive and Payload is lightwork.storage.Payload
from lightning.app import LightningFlow, LightningWork
from lightning.app.utilities.app_helpers import pretty_state
from lightning_app.utilities.enum import WorkStageStatus
from lightning_app.core.app import LightningApp
from lightning_app.core.flow import LightningFlow as CoreFlow
from lightning_app.structures import List
import lightwork
assert L.LightningWork is la.LightningWork is LightningWork is lightwork.LightningWork
assert CoreFlow is LightningFlow is lightwork.LightningFlow and LightningApp is lightwork.LightningApp
assert L.CloudCompute("cpu").name == "cpu-small" and pretty_state is lightwork.pretty_state
assert WorkStageStatus.SUCCEEDED == "succeeded" and List is lightwork.structures.List
assert not hasattr(lightwork.core, "app"), "aliases must not write into lightwork's own modules"
print("ok")
"""


def test_peer_names_resolve_to_lightwork():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['lightning_app',", "'lightning']", "ok"]


def test_unknown_peer_module_is_still_an_import_error():
    code = "import lightwork.compat as c; c.install(); import lightning_app.no_such_module"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1 and "ModuleNotFoundError" in out.stderr


def test_a_missing_name_from_an_aliased_module_is_a_plain_cannot_import():
    code = "import lightwork.compat as c; c.install(); from lightning.app.utilities.app_helpers import NoSuch"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1
    assert "ImportError: cannot import name 'NoSuch' from 'lightning.app.utilities.app_helpers'" in out.stderr
    assert "__path__" not in out.stderr


def test_components_the_peer_had_only_on_its_cloud_are_refused_by_name():
    code = (
        "import lightwork.compat as c; c.install()\n"
        "from lightning.app.components import TracerPythonScript, PythonServer, AutoScaler, Code\n"
        "from lightning.app.components.serve import Image, ServeGradio\n"
        "from lightning.app.components.python.tracer import TracerPythonScript as Again\n"
        "assert Again is TracerPythonScript\n"
        "from lightning_app.components.serve.gradio import ServeGradio as G\n"
        "from lightning_app.utilities.packaging.build_config import BuildConfig\n"
        "from lightning_app.utilities.packaging.cloud_compute import CloudCompute\n"
        "import lightning_app\n"
        "assert G is ServeGradio and BuildConfig is lightning_app.BuildConfig and CloudCompute is lightning_app.CloudCompute\n"
        "from lightning.app.components import MultiNode, PyTorchSpawnMultiNode, LightningTrainerScript\n"
        "from lightning.app.components.multi_node.base import MultiNode as Base\n"
        "assert Base is MultiNode\n"
        "from lightning.app.components import ColdStartProxy\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        "ImportError: lightning.app.components.ColdStartProxy is not available in lightwork: the AutoScaler's requests "
        "wait for a replica instead (docs/compat.md)"
    )
