"""FileSystem and the shared-storage helpers of `lightning.app.storage.path`, on each storage backend."""
import os

import pytest

from lightwork.storage import FileSystem
from lightwork.storage.path import _filesystem, _shared_storage_path
from lightwork.storage.store import STORAGE_VARIABLE


@pytest.fixture
def shared(storage_url, monkeypatch):
    monkeypatch.setenv(STORAGE_VARIABLE, storage_url)
    monkeypatch.delenv("LIGHTNING_STORAGE_PATH", raising=False)
    return FileSystem()


def test_put_list_walk_get_rm(shared, tmp_path):
    (tmp_path / "model.ckpt").write_text("weights")
    (tmp_path / "logs" / "run1").mkdir(parents=True)
    (tmp_path / "logs" / "run1" / "events").write_text("e1")
    (tmp_path / "logs" / "top").write_text("t")
    shared.put(str(tmp_path / "model.ckpt"), "/")
    shared.put(str(tmp_path / "logs"), "/experiments/logs")
    assert shared.listdir("/") == ["experiments", "model.ckpt"]
    assert shared.walk("/experiments") == ["experiments/logs/run1/events", "experiments/logs/top"]
    assert shared.isfile("/model.ckpt") and shared.isdir("/experiments") and not shared.exists("/nothing")
    shared.get("/experiments/logs", str(tmp_path / "copy"))
    assert (tmp_path / "copy" / "run1" / "events").read_text() == "e1"
    shared.get("/model.ckpt", str(tmp_path / "again.ckpt"))
    assert (tmp_path / "again.ckpt").read_text() == "weights"
    shared.rm("/experiments")
    assert shared.listdir("/") == ["model.ckpt"]


def test_bad_paths_are_refused_by_name(shared, tmp_path):
    with pytest.raises(ValueError, match="the destination 'models' must start with '/'"):
        shared.put(__file__, "models")
    with pytest.raises(FileNotFoundError, match="'/missing' is not in the shared storage"):
        shared.get("/missing", str(tmp_path / "x"))
    with pytest.raises(ValueError, match=r"contains '\.\.'"):
        shared.listdir("/../outside")
    with pytest.raises(ValueError, match="would remove the whole shared storage"):
        shared.rm("/")


def test_shared_storage_path_is_where_filesystem_puts_files(shared, tmp_path):
    (tmp_path / "a.txt").write_text("a")
    shared.put(str(tmp_path / "a.txt"), "/a.txt")
    fs = _filesystem()
    assert fs.cat_file(str(_shared_storage_path() / "a.txt")) == b"a"  # components read it this way


def test_storage_path_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("LIGHTNING_STORAGE_PATH", str(tmp_path / "elsewhere"))
    assert str(_shared_storage_path()) == os.path.join(str(tmp_path), "elsewhere")
