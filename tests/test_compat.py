"""Lightning Apps' package names resolve to lightwork once `compat.install()` ran (as `lightwork run` does)."""
import os
import subprocess
import sys

import pytest

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


TRAINING_CHECK = """
import sys
{before}
import lightwork.compat as compat
print(compat.install())
{imports}
import lightning, lightwork, lightwork.utilities.state
from lightning.app import LightningFlow
from lightning.app.utilities.state import AppState
import lightning.app.storage
assert lightning.__file__.startswith({folder!r}), lightning.__file__
assert lightning.Trainer.stand_in and lightning.pretty_state == "own"  # its own names stay its own
assert lightning.LightningWork is lightwork.LightningWork and lightning.LightningFlow is LightningFlow
assert lightning.LightningApp is lightwork.LightningApp and lightning.CloudCompute is lightwork.CloudCompute
assert lightning.BuildConfig is lightwork.BuildConfig and lightning.storage.Payload is lightwork.storage.Payload
assert lightning.structures.List is lightwork.structures.List and lightning.app is sys.modules["lightning.app"]
assert lightning.app.storage is sys.modules["lightning.app.storage"] and AppState is lightwork.utilities.state.AppState
assert lightning.app.LightningWork is lightwork.LightningWork
print("ok")
"""
ORDERS = {
    "package first": ("", "import lightning as L"),
    "app first": ("", "from lightning.app import LightningWork\nfrom lightning.app.utilities import enum"),
    "imported before install": ("import lightning", ""),
}


def _run_with(folder, code):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("order", ORDERS)
def test_an_installed_training_package_keeps_its_names_and_gains_the_app_names(tmp_path, training_lightning, order):
    training_lightning(tmp_path)
    before, imports = ORDERS[order]
    out = _run_with(tmp_path, TRAINING_CHECK.format(before=before, imports=imports, folder=str(tmp_path)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['lightning_app',", "'lightning.app']", "ok"]


def test_an_installed_lightning_app_is_never_shadowed(tmp_path):
    (tmp_path / "lightning_app").mkdir()
    (tmp_path / "lightning_app" / "__init__.py").write_text("OWN = True\n")
    code = "import lightwork.compat as c; print(c.install()); import lightning_app; assert lightning_app.OWN; import lightning_app.storage"
    out = _run_with(tmp_path, code)
    assert out.stdout.split() == ["['lightning']"]
    assert out.returncode == 1 and "No module named 'lightning_app.storage'" in out.stderr


def test_a_lightning_that_ships_lightning_apps_is_left_as_it_is(tmp_path):
    (tmp_path / "lightning" / "app").mkdir(parents=True)
    (tmp_path / "lightning" / "__init__.py").write_text("")
    (tmp_path / "lightning" / "app" / "__init__.py").write_text("OWN = True\n")
    code = "import lightwork.compat as c; print(c.install()); import lightning; from lightning.app import OWN; print(hasattr(lightning, 'LightningWork'))"
    out = _run_with(tmp_path, code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['lightning_app']", "False"]


TRAINING_APP = """
{imports}
from lightning.app.storage import Payload


def check(where):
    import lightning
    from lightning.app.utilities.enum import WorkStageStatus
    assert lightning.Trainer.stand_in and lightning.LightningWork is LightningWork and lightning.storage.Payload is Payload
    print(where, "sees", lightning.Trainer.__module__, "and", lightning.LightningWork.__module__)


class Check(L.LightningWork):
    def run(self):
        assert L.Trainer.stand_in  # the app's module `L` itself travels to the work
        check("work")


class Root(LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Check()

    def run(self):
        if not self.w.has_started:
            check("flow")
        self.w.run()
        if self.w.has_succeeded:
            self.stop("done")


app = L.LightningApp(Root())
"""
APP_ORDERS = {
    "package first": "import lightning as L\nfrom lightning.app import LightningFlow, LightningWork",
    "app first": "from lightning.app import LightningFlow, LightningWork\nimport lightning as L",
}
SEEN = ["flow sees lightning.pytorch and lightwork.core.work", "root.w | work sees lightning.pytorch and lightwork.core.work", "done"]


@pytest.mark.parametrize("order", APP_ORDERS)
def test_an_app_of_someone_who_trains_with_lightning_runs(lightwork, tmp_path, training_lightning, order):
    installed = tmp_path / "site-packages"
    training_lightning(installed)
    path = os.pathsep.join([str(installed), os.environ.get("PYTHONPATH", "")])
    run = lightwork(TRAINING_APP.format(imports=APP_ORDERS[order]), env={"PYTHONPATH": path, "LIGHTWORK_NO_UI": "1"})
    assert run.wait(60) == 0, run.stderr
    assert run.stdout_lines == SEEN


COMPONENT_NAMES_APP = """
import os, signal, subprocess, sys
import lightning as L
from lightning.app.storage import FileSystem
from lightning.app.storage.path import _filesystem, _shared_storage_path
from lightning.app.utilities.app_helpers import _collect_child_process_pids
from lightning.app.utilities.cloud import is_running_in_cloud
from lightning.app.utilities.enum import CacheCallsKeys, WorkFailureReasons, WorkStageStatus, WorkStopReasons, make_status
from lightning.app.utilities.frontend import AppInfo
from lightning.app.utilities.imports import _is_playwright_available, requires


class Starter(L.LightningWork):
    @requires("json")
    def run(self):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        pids = _collect_child_process_pids(os.getpid())
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        child.wait()
        _filesystem().pipe(str(_shared_storage_path() / "note.txt"), b"from the work")
        print("ended", pids == [child.pid], is_running_in_cloud())


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Starter()
        self.last = make_status(WorkStageStatus.NOT_STARTED)

    def run(self):
        self.w.run()
        if self.w.has_succeeded:
            print("reasons", WorkFailureReasons.USER_EXCEPTION, WorkStopReasons.PENDING, CacheCallsKeys.LATEST_CALL_HASH)
            FileSystem().get("/note.txt", "note-copy.txt")
            with open("note-copy.txt") as note:
                print(note.read())
            self.stop("done")


app = L.LightningApp(Root(), info=AppInfo(title="names components import"))
"""


def test_names_real_components_import_work_in_an_app(lightwork):
    run = lightwork(COMPONENT_NAMES_APP, env={"LIGHTWORK_NO_UI": "1"})
    assert run.wait(60) == 0, run.stderr
    assert run.stdout_lines == ["root.w | ended True False", "reasons user_exception pending latest_call_hash",
                                "from the work", "done"]


def test_the_2022_lightning_paths_and_attribute_chains_resolve():
    code = (
        "import lightwork.compat as c; c.install()\n"
        "from lightning import LightningApp, LightningFlow\n"
        "from lightning.frontend import StreamlitFrontend\n"
        "from lightning.utilities.state import AppState\n"
        "from lightning.storage.path import Path\n"
        "from lightning.components.python import TracerPythonScript\n"
        "import lightning as L, lightwork\n"
        "assert L.app is __import__('sys').modules['lightning.app'] and L.app.LightningWork is lightwork.LightningWork\n"
        "assert L.app.utilities.cloud.is_running_in_cloud() is False and L.app.storage.path._filesystem\n"
        "assert Path is lightwork.storage.Path and TracerPythonScript is lightwork.components.TracerPythonScript\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok"]


@pytest.mark.parametrize("statement, message", [
    ("from lightning.app.cli.lightning_cli import run_app",
     "lightning.app.cli.lightning_cli is not available in lightwork: the internals of the `lightning` command; run apps with `lightwork run`"),
    ("from lightning_app.components.database import Database",
     "lightning_app.components.database is not available in lightwork: use a database server of your own (or Drive for files)"),
    ("import lightning.app.utilities.login",
     "lightning.app.utilities.login is not available in lightwork: it talked to the Lightning AI cloud, which lightwork does not use"),
])
def test_modules_only_the_lightning_ai_cloud_had_are_refused_in_one_line(statement, message):
    out = subprocess.run([sys.executable, "-c", f"import lightwork.compat as c; c.install(); {statement}"], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == f"ImportError: {message} (docs/compat.md)"


SPAWNING_APP = """
import multiprocessing
import lightning as L


def child(queue):
    queue.put(f"child sees {L.LightningWork.__module__}")


class W(L.LightningWork):
    def run(self):
        context = multiprocessing.get_context("spawn")  # the child runs the app file again, as __mp_main__
        queue = context.Queue()
        process = context.Process(target=child, args=(queue,))
        process.start()
        print(queue.get(timeout=60))
        process.join()
        print("child exit", process.exitcode)


class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = W()

    def run(self):
        self.w.run()
        if self.w.has_succeeded:
            self.stop()


app = L.LightningApp(F())
"""


def test_a_works_spawned_child_process_imports_the_app_file_as_the_work_did(lightwork):
    run = lightwork(SPAWNING_APP, env={"LIGHTWORK_NO_UI": "1"})
    assert run.wait(90) == 0, run.stderr
    assert "root.w | child sees lightwork.core.work" in run.stdout_lines
    assert "root.w | child exit 0" in run.stdout_lines


def test_the_child_process_hook_costs_nothing_until_lightning_is_imported_and_keeps_other_sitecustomizes(tmp_path):
    (tmp_path / "sitecustomize.py").write_text("import builtins\nbuiltins.OTHER_SITE = True\n")
    from lightwork.compat import SITE_FOLDER

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SITE_FOLDER, str(tmp_path)])}
    code = "import sys, builtins; print('lightwork' in sys.modules, builtins.OTHER_SITE); import lightning; print(lightning.LightningFlow.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["False True", "lightwork.core.flow"]
