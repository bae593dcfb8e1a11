import pathlib

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

    work = W()
    assert isinstance(work.model, Path) and work.plain == "not a path"
    assert work.state["vars"]["model"] == {"__lightwork__": "path", "path": "lit://model.pt", "origin": None}


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
