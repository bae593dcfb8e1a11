"""The Ray runtime as users meet it: `lightwork run --runtime ray`, its own Ray instance, resources, failures."""
import pathlib
import shutil
import signal
import time

import pytest

import lightwork as L
from lightwork.runtime.ray_actors import ray_options
from lightwork.testing import processes_with

def without_carets(text: str) -> list:
    """The traceback's lines without the ~~^^ marks, which each Python version places differently."""
    return [line for line in text.splitlines() if line.strip(" ~^")]

FOREVER = """
import time
import lightning as L

class Ticker(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True{compute})
        self.ticks = 0

    def run(self):
        print("ticking")
        while True:
            self.ticks += 1
            time.sleep(0.01)

class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Ticker()
        self.said = False

    def run(self):
        self.w.run()
        if self.w.ticks >= 5 and not self.said:
            self.said = True
            print("flow saw ticks")

app = L.LightningApp(Root())
"""


def test_cloud_compute_names_map_to_ray_resources():
    assert ray_options(L.CloudCompute()) == {"num_cpus": 0}  # like a local process: reserves nothing
    assert ray_options(L.CloudCompute("cpu")) == {"num_cpus": 0}  # Lightning Apps' default machine too
    assert ray_options(L.CloudCompute("cpu-small")) == {"num_cpus": 2}
    assert ray_options(L.CloudCompute("gpu-rtx")) == {"num_cpus": 1, "num_gpus": 1}
    explicit = L.CloudCompute("cpu", cpus=0.5, gpus=2, memory=2**30, resources={"node_b": 1})
    assert ray_options(explicit) == {"num_cpus": 0.5, "num_gpus": 2, "memory": 2**30, "resources": {"node_b": 1}}
    with pytest.raises(ValueError, match="'tpu-9' is not known to the Ray runtime; use one of default, cpu"):
        ray_options(L.CloudCompute("tpu-9"))


def test_own_ray_instance_is_started_and_stopped_with_the_app(lightwork, monkeypatch, tmp_path):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    (tmp_path / "app.py").write_text(FOREVER.format(compute=""))
    run = lightwork(["run", "app.py", "--runtime", "ray", "--no-ui"])
    run.wait_line("flow saw ticks", timeout=60)
    assert "root.w | ticking" in run.stdout_lines  # the actor's output, prefixed as a local work's
    started = time.monotonic()
    run.signal(signal.SIGINT)
    assert run.wait(30) == 130, run.stderr
    assert time.monotonic() - started < 15
    assert "Traceback" not in run.stderr
    # the fixture then fails the test if any process of the run (Ray's own included) is left


def test_sigkill_of_the_command_leaves_no_ray_process(lightwork, monkeypatch, tmp_path):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    (tmp_path / "app.py").write_text(FOREVER.format(compute=""))
    run = lightwork(["run", "app.py", "--runtime", "ray", "--no-ui"])
    run.wait_line("flow saw ticks", timeout=60)
    assert len(processes_with(run.token)) > 3  # the app, Ray's helper, GCS, raylet, the actor...
    run.proc.kill()
    run.proc.wait()
    deadline = time.monotonic() + 20
    while processes_with(run.token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(run.token) == []


def test_a_work_no_node_can_hold_fails_naming_what_it_asked(lightwork, ray_instance):
    source = FOREVER.format(compute=", cloud_compute=L.CloudCompute('cpu', cpus=64)")
    run = lightwork(source, env={"LIGHTWORK_RUNTIME": "ray", "RAY_ADDRESS": ray_instance.address, "LIGHTWORK_RAY_PLACEMENT_TIMEOUT": "1", "LIGHTWORK_NO_UI": "1"})
    assert run.wait(60) == 1
    assert "work root.w failed" in run.stderr
    assert "asks for (CPU=64)" in run.stderr and "the cluster has: CPU=2" in run.stderr, run.stderr


def test_ray_address_without_the_ray_runtime_is_a_usage_error(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(FOREVER.format(compute=""))
    run = lightwork(["run", "app.py", "--ray-address", "127.0.0.1:1"])
    assert run.wait(30) == 2 and "--ray-address needs --runtime ray" in run.stderr


def test_without_ray_installed_the_command_says_how_to_install_it(lightwork, tmp_path):
    blocker = tmp_path / "noray"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class NoRay:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'ray' or name.startswith('ray.'):\n"
        "            raise ModuleNotFoundError(\"No module named 'ray'\")\n"
        "sys.meta_path.insert(0, NoRay())\n"
    )
    (tmp_path / "app.py").write_text(FOREVER.format(compute=""))
    run = lightwork(["run", "app.py", "--runtime", "ray"], env={"PYTHONPATH": str(blocker)})
    assert run.wait(30) == 2
    assert run.stderr.strip() == 'lightwork: --runtime ray needs Ray, which is not installed: pip install "lightwork[ray]"'



APPS = pathlib.Path(__file__).parent / "apps"
ROUND_1 = "empty/ epoch1.ckpt=weights 1 nested/ nested/deeper/ nested/deeper/meta.txt=meta 1"
ROUND_2 = "empty/ epoch2.ckpt=weights 2 nested/ nested/deeper/ nested/deeper/meta.txt=meta 2"


def test_a_folder_path_reaches_another_work_and_the_flow_as_on_the_process_runtime(lightwork, ray_instance, tmp_path):
    source = (APPS / "folders.py").read_text()
    local = lightwork(source, env={"LIGHTWORK_NO_UI": "1"})
    assert local.wait(60) == 0, local.stderr
    assert [line for line in local.stdout_lines if line.startswith("round")] == [
        f"round 1 reader ['empty', 'epoch1.ckpt', 'nested'] | argument {ROUND_1} | state {ROUND_1}",
        f"round 1 flow {ROUND_1}",
        f"round 2 reader ['empty', 'epoch2.ckpt', 'nested'] | argument {ROUND_2} | state {ROUND_2}",
        f"round 2 flow {ROUND_2}",
    ]
    shutil.rmtree(tmp_path / "outputs")  # the Ray run's works and flow must not find the process run's files
    run = lightwork(source, env={"LIGHTWORK_RUNTIME": "ray", "RAY_ADDRESS": ray_instance.address, "LIGHTWORK_NO_UI": "1"})
    assert run.wait(120) == 0, run.stderr
    assert [line for line in run.stdout_lines if line.startswith("round")] == [line for line in local.stdout_lines if line.startswith("round")]


def test_a_failing_work_shows_the_traceback_of_the_process_runtime(lightwork, ray_instance, tmp_path):
    source = (APPS / "failing.py").read_text()
    local = lightwork(source, env={"LIGHTWORK_NO_UI": "1"})
    assert local.wait(60) == 1
    traceback = local.stderr[local.stderr.index("Traceback"):]
    assert without_carets(traceback) == [
        "Traceback (most recent call last):",
        '  File "app.py", line 19, in run',
        "    divide(x)",
        '  File "app.py", line 9, in divide',
        "    return 1 / x",
        "ZeroDivisionError: division by zero",
    ], traceback
    run = lightwork(source, env={"LIGHTWORK_RUNTIME": "ray", "RAY_ADDRESS": ray_instance.address, "LIGHTWORK_NO_UI": "1", "MOVE_APP_FILE": "1"})
    assert run.wait(120) == 1
    assert (tmp_path / "app.py.moved").exists()  # the work had no app file to read its lines from
    assert run.stderr[run.stderr.index("Traceback"):] == traceback


def test_without_an_address_the_app_starts_its_own_ray_even_when_another_is_announced(lightwork, ray_instance, monkeypatch, tmp_path):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # the fixture's Ray runs, announced on this machine
    (tmp_path / "app.py").write_text(
        "import lightning as L\n"
        "class W(L.LightningWork):\n"
        "    def run(self):\n"
        "        import ray\n"
        "        print('gcs', ray.get_runtime_context().gcs_address, flush=True)\n"
        "class F(L.LightningFlow):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.w = W()\n"
        "    def run(self):\n"
        "        self.w.run()\n"
        "        self.stop()\n"
        "app = L.LightningApp(F())\n"
    )
    run = lightwork(["run", "app.py", "--runtime", "ray", "--no-ui"])
    assert run.wait(90) == 0, run.stderr
    address = next(line for line in run.stdout_lines if " | gcs " in line).rsplit(" ", 1)[1]
    assert address != ray_instance.address


TRAINING_APP = """
import lightning as L
from lightning.app.storage import Payload


class Check(L.LightningWork):
    def run(self):
        import lightning
        from lightning.app.utilities.enum import WorkStageStatus
        assert L.Trainer.stand_in and lightning.LightningWork is L.LightningWork and lightning.storage.Payload is Payload
        print("work sees", L.Trainer.__module__, "and", lightning.LightningWork.__module__)


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Check()

    def run(self):
        self.w.run()
        if self.w.has_succeeded:
            self.stop("done")


app = L.LightningApp(Root())
"""


def test_a_work_of_someone_who_trains_with_lightning_sees_both(lightwork, ray_instance, tmp_path, training_lightning):
    training_lightning(tmp_path)  # beside the app, where the actor finds the app's own modules
    run = lightwork(TRAINING_APP, env={"LIGHTWORK_RUNTIME": "ray", "RAY_ADDRESS": ray_instance.address, "LIGHTWORK_NO_UI": "1"})
    assert run.wait(90) == 0, run.stderr
    assert run.stdout_lines == ["root.w | work sees lightning.pytorch and lightwork.core.work", "done"]
