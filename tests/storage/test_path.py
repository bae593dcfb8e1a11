import os
import pathlib
import shutil

import pytest

import lightwork as L
from lightwork.core.codec import from_json, to_json
from lightwork.storage import Path


def test_path_is_a_pathlib_path_with_an_origin():
    path = Path("lit://data/file.csv", origin="root.w")
    assert isinstance(path, pathlib.Path) and str(path) == "data/file.csv" and path.origin == "root.w"
    assert path.name == "file.csv" and path.suffix == ".csv" and str(path.parent) == "data"
    assert str(path / "x") == "data/file.csv/x"


def test_path_travels_as_a_reference():
    reference = to_json(Path("lit://a.txt", origin="root.w"))
    assert reference == {"__lightwork__": "path", "path": "lit://a.txt", "origin": "root.w"}
    back = from_json(reference)
    assert isinstance(back, Path) and back.origin == "root.w" and str(back) == "a.txt"


def test_lit_string_in_a_work_state_becomes_a_path():
    class W(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.model = "lit://model.pt"
            self.plain = "not a path"

        def run(self):
            pass

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = W()

        def run(self):
            pass

    work = F().w
    assert isinstance(work.model, Path) and work.plain == "not a path"
    # the work's own path: its origin is the work, by the name the work has in the tree
    assert work.state["vars"]["model"] == {"__lightwork__": "path", "path": "lit://model.pt", "origin": "root.w"}


def test_exists_and_get(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = Path("lit://out.txt", origin="root.w")
    assert not path.exists_local() and not path.exists_remote()
    with pytest.raises(FileNotFoundError, match="lit://out.txt \\(owned by root.w\\) does not exist"):
        path.get()
    (tmp_path / "out.txt").write_text("x")
    assert path.exists_local() and path.exists_remote()
    path.get()


def test_lit_string_set_in_a_flow_becomes_a_path():
    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.out = None

    flow = F()
    flow.out = "lit://out.txt"
    assert isinstance(flow.out, Path) and str(flow.out) == "out.txt"


def test_lit_string_assigned_in_a_running_work_opens_as_a_file(lightwork, tmp_path):
    run = lightwork(
        """
        import time
        import lightwork as L
        from lightwork.storage import Path

        class W(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.out = None
            def run(self):
                time.sleep(0.1)
                self.out = "lit://out.txt"
                with open(self.out, "w") as f:   # a str "lit://out.txt" would not open
                    f.write("written")
                print(type(self.out).__name__, self.out.origin)

        class F(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.w = W()
            def run(self):
                self.w.run()
                print("flow has", type(self.w.out).__name__, self.w.out.origin)
                self.stop()

        app = L.LightningApp(F())
        """
    )
    assert run.wait() == 0, run.stderr
    assert "root.w | Path root.w" in run.stdout and "flow has Path root.w" in run.stdout
    assert (tmp_path / "out.txt").read_text() == "written"


def tree(folder):
    """Every folder ('name/') and file ('name=content') below `folder`."""
    found = set()
    for top, folders, names in os.walk(folder):
        found |= {os.path.relpath(os.path.join(top, name), folder) + "/" for name in folders}
        found |= {os.path.relpath(os.path.join(top, name), folder) + "=" + open(os.path.join(top, name)).read() for name in names}
    return found


def test_a_folder_travels_through_the_storage_and_stays_up_to_date(store, tmp_path, monkeypatch):
    """Works in folders of their own (Ray): the owner stores its folder when a call ends, a reader syncs."""
    from lightwork.storage import path as paths

    maker, reader = tmp_path / "maker", tmp_path / "reader"
    (maker / "ckpt" / "nested").mkdir(parents=True)
    (maker / "ckpt" / "empty").mkdir()
    (maker / "ckpt" / "a.txt").write_text("one")
    (maker / "ckpt" / "nested" / "b.txt").write_text("bee")
    folder = Path("lit://ckpt", origin="root.maker")
    monkeypatch.chdir(maker)
    paths.share(folder, store)
    reader.mkdir()
    monkeypatch.chdir(reader)
    paths.sync(folder, store)
    assert tree(reader / "ckpt") == {"a.txt=one", "nested/", "nested/b.txt=bee", "empty/"}
    (reader / "ckpt" / "mine.txt").write_text("the reader's own")

    (maker / "ckpt" / "a.txt").write_text("two")  # the same size: told apart by its time
    (maker / "ckpt" / "nested" / "b.txt").unlink()
    (maker / "ckpt" / "empty" / "c.txt").write_text("sea")
    monkeypatch.chdir(maker)
    paths.share(folder, store)
    assert sorted(store.files("paths/root.maker/ckpt")) == [f"paths/root.maker/ckpt/{n}" for n in ("a.txt", "empty/c.txt", "nested/.lw-folder")]
    monkeypatch.chdir(reader)
    paths.sync(folder, store)
    assert tree(reader / "ckpt") == {"a.txt=two", "nested/", "empty/", "empty/c.txt=sea", "mine.txt=the reader's own"}

    shutil.rmtree(maker / "ckpt" / "empty")  # a folder removed with its files
    monkeypatch.chdir(maker)
    paths.share(folder, store)
    monkeypatch.chdir(reader)
    paths.sync(folder, store)
    assert tree(reader / "ckpt") == {"a.txt=two", "nested/", "mine.txt=the reader's own"}


def test_a_file_path_is_brought_again_when_its_owner_changed_it(store, tmp_path, monkeypatch):
    from lightwork.storage import path as paths

    maker, reader = tmp_path / "maker", tmp_path / "reader"
    maker.mkdir()
    reader.mkdir()
    model = Path("lit://model.bin", origin="root.maker")
    for content in ("first", "second, longer"):
        (maker / "model.bin").write_text(content)
        monkeypatch.chdir(maker)
        paths.share(model, store)
        monkeypatch.chdir(reader)
        paths.sync(model, store)
        assert (reader / "model.bin").read_text() == content


def test_a_path_made_from_a_path_keeps_its_origin_and_consumer():
    folder = Path("x/y/z", origin="root.a")
    folder._consumer = "root.b"
    made = [folder / "f.txt", "/top" / folder, folder.joinpath("f"), folder.with_name("w"), folder.with_suffix(".png"),
            folder.with_stem("s"), folder.relative_to("x"), folder.parent, *folder.parents, Path(folder), Path(folder, "f")]
    assert all(isinstance(p, Path) and p.origin == "root.a" and p.consumer_name == "root.b" for p in made)
    assert folder.parents == [Path("x/y"), Path("x"), Path(".")]
    assert Path(Path("a"), Path("b", origin="root.a")).origin == "root.a"
    with pytest.raises(TypeError, match="different works \\(root.a, root.c\\)"):
        Path(folder, Path("f", origin="root.c"))


def test_a_path_in_a_works_state_is_attached_to_it():
    class Source(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.out = Path("out.txt")

        def run(self):
            pass

    class Reader(L.LightningWork):
        def __init__(self, path):
            super().__init__()
            self.path = path

        def run(self):
            pass

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.src = Source()
            self.dst = Reader(self.src.out)

        def run(self):
            pass

    flow = F()
    assert (flow.src.out.origin_name, flow.src.out.consumer_name) == ("root.src", "root.src")
    assert (flow.dst.path.origin_name, flow.dst.path.consumer_name) == ("root.src", "root.dst")
    assert flow.dst.path.hash == flow.src.out.hash == Path("out.txt", origin="root.src").hash
    assert Path("out.txt").hash is None and Path("out.txt", origin="root.x").hash != flow.src.out.hash
    assert flow.state["flows"] == {} and flow.dst.state["vars"]["path"]["origin"] == "root.src"


def test_a_path_goes_to_a_dict_and_back_and_pickles_with_its_origin_and_consumer():
    import json
    import pickle

    from lightwork.utilities.app_helpers import LightningJSONEncoder

    path = Path("a/b.txt", origin="root.x")
    path._consumer = "root.y"
    assert path.to_dict() == {"path": "a/b.txt", "origin_name": "root.x", "consumer_name": "root.y", "metadata": {}}
    for back in (Path.from_dict(path.to_dict()), pickle.loads(pickle.dumps(path))):
        assert back == path and (back.origin_name, back.consumer_name) == ("root.x", "root.y")
    assert json.loads(json.dumps({"p": path}, cls=LightningJSONEncoder)) == {"p": path.to_dict()}


def test_exists_asks_the_origin_only_for_an_attached_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.txt").write_text("x")
    assert Path("here.txt").exists() and not Path("nowhere.txt").exists()
    with pytest.raises(RuntimeError, match="not attached to a LightningWork"):
        Path("nowhere.txt").exists_remote()
    assert not Path("nowhere.txt", origin="root.w").exists()
