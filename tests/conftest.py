"""Shared fixtures: run real `lightwork run` processes and make sure none of their processes outlive a test."""
from __future__ import annotations

import glob
import os
import shutil
import tempfile
import textwrap

import pytest

from lightwork.runtime.output import LOG_FOLDER_PREFIX
from lightwork.storage.payload import FOLDER_PREFIX
from lightwork.testing import AppRun


@pytest.fixture
def lightwork(tmp_path):
    """`lightwork(source_or_args, env=...)` starts `lightwork run` on an app source (or raw CLI args)."""
    runs: list[AppRun] = []

    def start(app: str | list, env: dict | None = None, name: str = "app.py", rlimits: dict | None = None,
              new_session: bool = False) -> AppRun:
        if isinstance(app, str):
            (tmp_path / name).write_text(textwrap.dedent(app))
            args = ["run", name]
        else:
            args = list(app)
        run = AppRun(args, tmp_path, env, rlimits, new_session)
        runs.append(run)
        return run

    yield start
    leaked = {run.token: run.cleanup() for run in runs}
    leaked = {token: pids for token, pids in leaked.items() if pids}
    assert not leaked, f"processes left behind (killed now): {leaked}"
    logs = [path for run in runs for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{LOG_FOLDER_PREFIX}{run.proc.pid}-*"))]
    for path in logs:
        shutil.rmtree(path, ignore_errors=True)
    assert not logs, f"log folders left behind (removed now): {logs}"
    folders = {folder for run in runs for folder in _payload_folders(run.proc.pid)}  # this test's runs only
    for folder in folders:
        shutil.rmtree(os.path.join("/dev/shm", folder), ignore_errors=True)
    assert not folders, f"payload folders left in /dev/shm (removed now): {folders}"


def _payload_folders(pid: int) -> set:
    """The payload folders in /dev/shm of the app process `pid`."""
    try:
        return {name for name in os.listdir("/dev/shm") if name.startswith(f"{FOLDER_PREFIX}{pid}-")}
    except FileNotFoundError:
        return set()


@pytest.fixture
def training_lightning():
    """`training_lightning(folder)` writes a stand-in of the `lightning` training package (2.6: no `app`,
    torch not needed) into `folder`; its `Trainer` has `stand_in = True` and it defines `pretty_state` itself."""

    def write(folder) -> None:
        package = os.path.join(str(folder), "lightning")
        os.makedirs(os.path.join(package, "pytorch"))
        with open(os.path.join(package, "__init__.py"), "w") as handle:
            handle.write('from lightning.pytorch import Trainer\npretty_state = "own"\n__version__ = "2.6.0"\n')
        with open(os.path.join(package, "pytorch", "__init__.py"), "w") as handle:
            handle.write("class Trainer:\n    stand_in = True\n")

    return write


@pytest.fixture(scope="session")
def s3_server():
    """A moto S3 server on 127.0.0.1 (as s3fs tests itself); yields the environment that points s3fs at it."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the moto S3 server did not start")
                time.sleep(0.1)
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        }
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket="lightwork-test")
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        yield env
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class RayInstance:
    """A Ray instance started for a test module; `runtime(root)` makes a RayRuntime that joins it."""

    def __init__(self, address: str) -> None:
        self.address = address  # for `lightwork run --runtime ray` apps to join it (RAY_ADDRESS)

    def runtime(self, root, cleanup: tuple = ()):
        from lightwork.runtime.ray_actors import RayRuntime

        return RayRuntime(root, cleanup)


@pytest.fixture(scope="module")
def ray_instance():
    """One local Ray instance per test module (starting Ray takes seconds); stopped through Ray's API."""
    import logging

    import ray

    # address="local": a new instance, not a cluster another process on this machine announced in /tmp/ray
    context = ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        yield RayInstance(context.address_info["address"])
    finally:
        ray.shutdown()


def _starts_ray(item) -> bool:
    """Whether the test starts Ray in this process (directly, through a fixture, or as a runtime parameter)."""
    callspec = getattr(item, "callspec", None)
    return ("ray_instance" in item.fixturenames or "cluster" in item.fixturenames or "test_ray" in item.path.name
            or (callspec is not None and "ray" in callspec.params.values()))


def pytest_collection_modifyitems(items):
    """Tests that start Ray in this process are marked `ray` (`-m "not ray"` leaves them out) and run last: Ray
    leaves threads behind, and a process runtime made in this process afterwards would fork its fork server
    from a threaded process (which can hang or crash it)."""
    for item in items:
        if _starts_ray(item):
            item.add_marker(pytest.mark.ray)
    items.sort(key=_starts_ray)  # stable: the order within each group stays
