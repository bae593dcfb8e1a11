"""The names of `lightning.app.utilities.*` (and `core.constants`) that public components import: each exists
at its Lightning Apps path and behaves as it did there, or refuses in one line where it needed that cloud."""
import dataclasses
import os
import subprocess
import sys
import time
from collections import namedtuple

import pytest

import lightwork.compat

lightwork.compat.install()


def test_enum_names_have_lightning_apps_values():
    from lightning.app.utilities.enum import (AppStage, CacheCallsKeys, ComponentContext, OpenAPITags, WorkFailureReasons,
                                              WorkPendingReason, WorkStageStatus, WorkStopReasons, make_status)

    assert WorkFailureReasons.USER_EXCEPTION == "user_exception" and WorkFailureReasons.TIMEOUT == "timeout"
    assert WorkStopReasons.SIGTERM_SIGNAL_HANDLER == "sigterm_signal_handler" and WorkStopReasons.PENDING == "pending"
    assert CacheCallsKeys.LATEST_CALL_HASH == "latest_call_hash" and AppStage("failed") is AppStage.FAILED
    assert ComponentContext.WORK.value == "work" and WorkPendingReason.IMAGE_BUILDING.value == "image_building"
    assert OpenAPITags.APP_API == "app_api"
    before = time.time()
    status = make_status(WorkStageStatus.FAILED, message="boom", reason=WorkFailureReasons.USER_EXCEPTION)
    assert status.pop("timestamp") >= before
    assert status == {"stage": "failed", "message": "boom", "reason": "user_exception"}
    assert set(make_status("running")) == {"stage", "timestamp"}


def test_child_process_pids_are_the_processes_a_process_started():
    from lightning.app.utilities.app_helpers import _collect_child_process_pids

    children = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) for _ in range(2)]
    try:
        found = _collect_child_process_pids(os.getpid())
        assert {c.pid for c in children} <= set(found)
        assert _collect_child_process_pids(children[0].pid) == []
    finally:
        for child in children:
            child.kill()
            child.wait()
    assert not {c.pid for c in children} & set(_collect_child_process_pids(os.getpid()))


def test_the_current_app_is_the_one_made_last():
    from lightning.app import LightningApp
    from lightning.app.testing import EmptyFlow
    from lightning.app.utilities.app_helpers import _LightningAppRef

    app = LightningApp(EmptyFlow())
    assert _LightningAppRef.get_current() is app and _LightningAppRef().get_current() is app
    _LightningAppRef._app_instance = None  # how components' tests reset it
    assert _LightningAppRef.get_current() is None


def test_requires_and_availability_checks():
    from lightning.app.utilities.imports import _is_gradio_available, _is_lightning_flash_available, _is_numpy_available, requires

    assert _is_numpy_available() is True and _is_lightning_flash_available() is False
    assert _is_gradio_available() in (True, False)

    @requires(["json", "no_such_package_here"])
    def needs():
        return "ran"

    with pytest.raises(ModuleNotFoundError, match="Please run: pip install 'no_such_package_here'"):
        needs()
    assert requires("json")(lambda: "ran")() == "ran"


def test_cloud_names(monkeypatch):
    import lightning as L  # the alias here: no `lightning` package is installed in this environment
    from lightning.app.utilities.cloud import _get_project, is_running_in_cloud
    from lightning.app.utilities.network import LightningClient

    assert is_running_in_cloud() is False and L.app.utilities.cloud.is_running_in_cloud() is False
    monkeypatch.setenv("LAI_RUNNING_IN_CLOUD", "1")
    assert is_running_in_cloud() is True
    with pytest.raises(RuntimeError) as refused:
        LightningClient()
    assert str(refused.value) == ("lightning.app.utilities.network.LightningClient is not available in lightwork: it "
                                  "called the Lightning AI cloud's API (docs/compat.md)")
    with pytest.raises(RuntimeError, match="looked up a project on the Lightning AI cloud"):
        _get_project(None)


def test_component_context_follows_lightworks_role():
    from lightning.app.utilities.component import _get_context, _is_flow_context, _is_work_context, _set_context
    from lightning.app.utilities.enum import ComponentContext

    from lightwork.core import context

    try:
        _set_context("work")
        assert _is_work_context() and context.role == context.WORK
        _set_context(ComponentContext.FLOW)
        assert _is_flow_context() and context.role == context.FLOW
        _set_context(ComponentContext.FRONTEND)
        assert _get_context() is ComponentContext.FRONTEND and context.role is None
    finally:
        _set_context(None)
    assert _get_context() is None


def test_small_names(tmp_path, monkeypatch):
    from lightning.app.core.constants import APP_SERVER_HOST, APP_SERVER_PORT
    from lightning.app.utilities.frontend import AppInfo
    from lightning.app.utilities.log import get_logfile
    from lightning.app.utilities.packaging.app_config import _APP_CONFIG_FILENAME

    assert (APP_SERVER_HOST, APP_SERVER_PORT) == ("http://127.0.0.1", 7501) and _APP_CONFIG_FILENAME == ".lightning"
    assert AppInfo(title="T", description="D").title == "T" and AppInfo().meta_tags is None
    monkeypatch.setenv("STORAGE_ROOT_DIR", str(tmp_path / "storage"))
    assert get_logfile() == tmp_path / "storage" / "frontend" / "logs.log" and (tmp_path / "storage" / "frontend").is_dir()


def test_server_constants_name_the_running_apps_server():
    code = "import lightwork.compat as c; c.install(); from lightning.app.core import constants as k; print(k.APP_SERVER_HOST, k.APP_SERVER_PORT)"
    env = {**os.environ, "LIGHTWORK_APP_URL": "http://127.0.0.1:7612"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["http://127.0.0.1", "7612"], out.stderr


def test_apply_to_collection():
    from lightning.app.utilities.apply_func import apply_to_collection

    Pair = namedtuple("Pair", "a b")

    @dataclasses.dataclass(frozen=True)
    class Box:
        value: int
        label: str

    data = {"x": [1, "s", (2, 3)], "p": Pair(4, "t"), "box": Box(5, "u")}
    out = apply_to_collection(data, int, lambda v, k: v * k, 10)
    assert out == {"x": [10, "s", (20, 30)], "p": Pair(40, "t"), "box": Box(50, "u")}
    assert data["box"].value == 5  # the input is left as it was
    assert apply_to_collection([1, True], int, str, wrong_dtype=bool) == ["1", True]


def test_app_commands_and_load_app(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])  # loading an app file replaces both
    monkeypatch.setattr(sys, "path", list(sys.path))
    from lightning.app.utilities.app_commands import run_app_commands
    from lightning.app.utilities.load_app import load_app_from_file

    app_file = tmp_path / "app.py"
    app_file.write_text(f"# !echo made > {tmp_path / 'made.txt'}\n# !false\n")
    with pytest.raises(RuntimeError, match="setup command on line 2 of .* failed: false"):
        run_app_commands(str(app_file))
    assert (tmp_path / "made.txt").read_text() == "made\n"
    with pytest.raises(ValueError, match="defines no LightningApp"):
        load_app_from_file(str(app_file), raise_exception=True)


def test_the_slow_flow_warning_and_its_constants_are_at_lightning_apps_paths():
    from lightning.app.core.constants import FLOW_DURATION_SAMPLES, FLOW_DURATION_THRESHOLD
    from lightning.app.utilities.app_helpers import affiliation
    from lightning.app.utilities.warnings import LightningFlowWarning

    from lightwork.utilities.warnings import LightningFlowWarning as ours

    assert LightningFlowWarning is ours and issubclass(ours, UserWarning)
    assert (FLOW_DURATION_SAMPLES, FLOW_DURATION_THRESHOLD) == (5, 1.0)
    assert callable(affiliation)
