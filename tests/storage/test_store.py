"""One suite for every storage backend (local folder, fsspec memory, S3 through moto)."""
import os
import threading

import pytest

from lightwork.storage.store import Store, check_relative


def write(path, data: bytes):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def test_put_list_get_delete(store, tmp_path):
    write(tmp_path / "a.txt", b"hello")
    store.put_file(str(tmp_path / "a.txt"), "a.txt")
    store.put_file(str(tmp_path / "a.txt"), "folder/deep/b.txt")
    assert store.list(".") == ["a.txt", "folder"]
    assert store.list("folder") == ["folder/deep"]
    assert store.list("folder/deep/b.txt") == ["folder/deep/b.txt"]
    assert store.list("missing") == []
    assert sorted(store.walk_files("folder")) == ["folder/deep/b.txt"]
    store.get_file("folder/deep/b.txt", str(tmp_path / "out" / "b.txt"))
    assert (tmp_path / "out" / "b.txt").read_bytes() == b"hello"
    store.delete("folder")
    assert store.list(".") == ["a.txt"]
    assert not store.exists("folder/deep/b.txt")


def test_replacing_a_file(store, tmp_path):
    for content in (b"one", b"two, longer"):
        write(tmp_path / "f", content)
        store.put_file(str(tmp_path / "f"), "f")
    store.get_file("f", str(tmp_path / "g"))
    assert (tmp_path / "g").read_bytes() == b"two, longer"


def test_missing_file(store, tmp_path):
    with pytest.raises(FileNotFoundError, match="'nope.txt' is not in"):
        store.get_file("nope.txt", str(tmp_path / "x"))
    with pytest.raises(FileNotFoundError):
        store.delete("nope.txt")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("bad", ["/etc/passwd", "../x", "a/../../x", "a/..", "", "x\0y", ".lw-tmp-abc"])
def test_bad_paths_are_refused_and_touch_nothing(store, tmp_path, bad):
    write(tmp_path / "a.txt", b"x")
    with pytest.raises(ValueError):
        store.put_file(str(tmp_path / "a.txt"), check_relative(bad))
    assert store.list(".") == []


def test_concurrent_puts_of_one_path_leave_one_complete_version(store, tmp_path):
    contents = [bytes([65 + i]) * (200_000 + i) for i in range(6)]
    for i, data in enumerate(contents):
        write(tmp_path / f"src{i}", data)
    threads = [threading.Thread(target=store.put_file, args=(str(tmp_path / f"src{i}"), "shared.bin")) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.get_file("shared.bin", str(tmp_path / "result"))
    assert (tmp_path / "result").read_bytes() in contents
    assert store.list(".") == ["shared.bin"]


def test_local_symlink_out_of_the_root_is_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s")
    os.symlink(outside, root / "link")
    store = Store(str(root))
    write(tmp_path / "a.txt", b"x")
    with pytest.raises(ValueError, match="outside the storage root"):
        store.put_file(str(tmp_path / "a.txt"), "link/a.txt")
    with pytest.raises(ValueError, match="outside the storage root"):
        store.get_file("link/secret", str(tmp_path / "stolen"))
    assert sorted(os.listdir(outside)) == ["secret"] and not (tmp_path / "stolen").exists()


def test_files_lists_every_file_below_a_path_with_a_version_that_changes_when_it_is_replaced(store, tmp_path):
    write(tmp_path / "a", b"one")
    store.put_file(str(tmp_path / "a"), "top/x.txt")
    store.put_file(str(tmp_path / "a"), "top/deep/y.txt")
    store.put_bytes(b"", "top/empty/.marker")
    listed = store.files("top")
    assert sorted(listed) == ["top/deep/y.txt", "top/empty/.marker", "top/x.txt"]
    assert store.files("top/x.txt") == {"top/x.txt": listed["top/x.txt"]}  # a file lists itself, same version
    assert store.files("top/deep") == {"top/deep/y.txt": listed["top/deep/y.txt"]}
    assert store.files("missing") == {}
    write(tmp_path / "a", b"two, longer")
    store.put_file(str(tmp_path / "a"), "top/x.txt")
    assert store.files("top")["top/x.txt"] != listed["top/x.txt"]
    assert store.files("top")["top/deep/y.txt"] == listed["top/deep/y.txt"]
    store.get_file("top/empty/.marker", str(tmp_path / "m"))
    assert (tmp_path / "m").read_bytes() == b""
