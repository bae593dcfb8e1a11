"""Drive on every backend, in one process; tests/storage/test_e2e.py runs drives across works."""
import os

import pytest

from lightwork.core import context
from lightwork.storage import Drive


@pytest.fixture
def workdir(tmp_path, storage_url, monkeypatch):
    """A current folder for local files, with LIGHTWORK_STORAGE pointing at the backend under test."""
    monkeypatch.setenv("LIGHTWORK_STORAGE", storage_url)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_seed_sequence_put_list_get_delete(workdir):
    drive = Drive("lit://drive")
    assert drive.list(".") == []
    (workdir / "a.txt").write_text("Hello World !")
    drive.put("a.txt")
    assert drive.list(".") == ["a.txt"]
    drive.get("a.txt")
    drive.delete("a.txt")
    assert drive.list(".") == []


def test_folders_and_namespaces(workdir):
    (workdir / "data" / "sub").mkdir(parents=True)
    (workdir / "data" / "x.txt").write_text("x")
    (workdir / "data" / "sub" / "y.txt").write_text("y")
    one, same, other = Drive("lit://one"), Drive("lit://one"), Drive("lit://other")
    one.put("data")
    assert same.list("data") == ["data/sub", "data/x.txt"]
    assert other.list(".") == []
    os.rename("data", "old")
    same.get("data")
    assert (workdir / "data" / "sub" / "y.txt").read_text() == "y"
    one.delete("data/sub")
    assert same.list("data") == ["data/x.txt"]


def test_get_keeps_a_different_local_file_unless_overwrite(workdir):
    drive = Drive("lit://d")
    (workdir / "f.txt").write_text("stored")
    drive.put("f.txt")
    (workdir / "f.txt").write_text("local edit")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        drive.get("f.txt")
    assert (workdir / "f.txt").read_text() == "local edit"
    drive.get("f.txt", overwrite=True)
    assert (workdir / "f.txt").read_text() == "stored"


def test_get_missing_file_and_timeout(workdir):
    drive = Drive("lit://d")
    with pytest.raises(FileNotFoundError, match="'missing.txt' is not in lit://d"):
        drive.get("missing.txt")
    with pytest.raises(FileNotFoundError, match=r"waited 0.2s"):
        drive.get("missing.txt", timeout=0.2)
    with pytest.raises(FileNotFoundError, match="no such local file"):
        drive.put("missing.txt")
    with pytest.raises(FileNotFoundError):
        drive.delete("missing.txt")
    assert not (workdir / "missing.txt").exists()


@pytest.mark.parametrize("name", ["drive", "s3://x", "lit://", "lit://a/b", "lit://..", "lit://a..b", "lit://-x", "lit://sp ace", "lit://" + "x" * 129])
def test_bad_drive_names(name):
    with pytest.raises(ValueError, match="Drive"):
        Drive(name)


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.txt", "a/../../b", ""])
def test_paths_leaving_the_drive_are_refused(workdir, path):
    drive = Drive("lit://d")
    (workdir / "a.txt").write_text("x")
    for action in (drive.put, drive.get, drive.delete, drive.list):
        with pytest.raises(ValueError):
            action(path)
    assert drive.list(".") == [] and sorted(os.listdir(workdir)) == ["a.txt"]


def test_flow_may_list_but_not_change_a_drive(workdir):
    drive = Drive("lit://d")
    (workdir / "a.txt").write_text("x")
    drive.put("a.txt")
    context.set_role(context.FLOW)
    try:
        assert drive.list() == ["a.txt"]
        for action in (drive.put, drive.get, drive.delete):
            with pytest.raises(RuntimeError, match="the flow cannot"):
                action("a.txt")
    finally:
        context.set_role(None)
    assert drive.list() == ["a.txt"]


def test_root_folder_is_where_local_paths_are(workdir):
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.txt").write_text("from elsewhere")
    drive = Drive("lit://rooted", root_folder=str(elsewhere))
    assert drive.root_folder == elsewhere
    drive.put("a.txt")
    assert drive.list(".") == ["a.txt"]
    plain = Drive("lit://rooted")
    assert plain.root_folder == workdir  # by default, the current folder
    plain.get("a.txt")
    assert (workdir / "a.txt").read_text() == "from elsewhere"
    (elsewhere / "a.txt").unlink()
    drive.get("a.txt")
    assert (elsewhere / "a.txt").read_text() == "from elsewhere"
    with pytest.raises(NotADirectoryError, match="root_folder 'missing' is not a folder"):
        Drive("lit://rooted", root_folder="missing")


def test_copies_keep_component_name_and_root_folder(workdir):
    import copy
    import pickle

    drive = Drive("lit://kept", allow_duplicates=True, root_folder=str(workdir))
    drive.component_name = "root.work1"
    for other in (copy.deepcopy(drive), pickle.loads(pickle.dumps(drive)), Drive.from_dict(drive.to_dict())):
        assert other == drive and other.component_name == "root.work1"
        assert other.allow_duplicates and other.root_folder == workdir
    assert drive.to_dict()["type"] == "__drive__"


def test_a_bucket_address_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="read an S3 bucket with fsspec"):
        Drive("s3://bucket/")
