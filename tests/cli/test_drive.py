"""`lightwork drive ls|get|put|rm` on the drives an app left in its folder."""
APP = """
import lightwork as L
from lightwork.storage import Drive

class Writer(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.drive = Drive("lit://results")
    def run(self):
        import os
        os.makedirs("report/parts", exist_ok=True)
        for name in ("report/summary.txt", "report/parts/1.txt"):
            with open(name, "w") as f:
                f.write("content of " + name)
        self.drive.put("report")

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Writer()
    def run(self):
        self.w.run()
        self.stop()

app = L.LightningApp(F())
"""


def test_look_into_and_copy_out_of_a_drive_after_a_run(lightwork, tmp_path):
    assert lightwork(APP).wait() == 0
    listing = lightwork(["drive", "ls", "lit://results/report"])
    assert listing.wait() == 0 and listing.stdout_lines == ["report/parts/", "report/summary.txt"]
    (tmp_path / "copy").mkdir()
    fetch = lightwork(["drive", "get", "lit://results/report", "copy"])
    assert fetch.wait() == 0, fetch.stderr
    assert (tmp_path / "copy" / "report" / "parts" / "1.txt").read_text() == "content of report/parts/1.txt"
    single = lightwork(["drive", "get", "lit://results/report/summary.txt", "one.txt"])
    assert single.wait() == 0 and (tmp_path / "one.txt").read_text() == "content of report/summary.txt"
    again = lightwork(["drive", "get", "lit://results/report/summary.txt", "one.txt"])
    assert again.wait() == 1 and "one.txt exists; pass --overwrite" in again.stderr
    (tmp_path / "extra.txt").write_text("extra")
    assert lightwork(["drive", "put", "extra.txt", "lit://results/more/"]).wait() == 0
    assert lightwork(["drive", "rm", "lit://results/report/parts"]).wait() == 0
    listing = lightwork(["drive", "ls", "lit://results"])
    assert listing.wait() == 0 and listing.stdout_lines == ["more/", "report/"]
    assert (tmp_path / ".lightwork" / "drives" / "results" / "more" / "extra.txt").read_text() == "extra"


def test_bad_addresses_and_missing_files(lightwork, tmp_path):
    for args, code, message in [
        (["drive", "ls", "results"], 2, "expected lit://DRIVE[/PATH]"),
        (["drive", "ls", "lit://../etc"], 2, "bad Drive name"),
        (["drive", "get", "lit://d/../../etc/passwd"], 2, "contains '..'"),
        (["drive", "get", "lit://d/missing.txt"], 1, "lit://d/missing.txt does not exist"),
        (["drive", "rm", "lit://d/missing.txt"], 1, "'missing.txt' is not in"),
        (["drive", "rm", "lit://d"], 2, "not the whole drive"),
    ]:
        run = lightwork(args)
        assert run.wait() == code, (args, run.stderr)
        assert message in run.stderr, (args, run.stderr)
    assert not (tmp_path / ".lightwork").exists() or not any((tmp_path / ".lightwork").rglob("*.txt"))
