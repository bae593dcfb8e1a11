"""A folder Path (nested folders, an empty one, files added and removed between calls) read by another work,
as a run() argument and in its state, and by the flow. MAKER_NODE / READER_NODE: a Ray resource to pin each
work to a node."""
import os

import lightning as L


def placed(variable):
    resource = os.environ.get(variable)
    return {"cloud_compute": L.CloudCompute("default", resources={resource: 1})} if resource else {}


class Maker(L.LightningWork):
    def __init__(self):
        super().__init__(**placed("MAKER_NODE"))
        self.checkpoint_dir = "lit://outputs/checkpoints"

    def run(self, round):
        os.makedirs(os.path.join(self.checkpoint_dir, "nested", "deeper"), exist_ok=True)
        os.makedirs(os.path.join(self.checkpoint_dir, "empty"), exist_ok=True)
        with open(os.path.join(self.checkpoint_dir, f"epoch{round}.ckpt"), "w") as f:
            f.write(f"weights {round}")
        with open(os.path.join(self.checkpoint_dir, "nested", "deeper", "meta.txt"), "w") as f:
            f.write(f"meta {round}")
        if round == 2:
            os.remove(os.path.join(self.checkpoint_dir, "epoch1.ckpt"))


def describe(folder):
    found = []
    for top, folders, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(top, name), folder) + "/" for name in folders]
        for name in names:
            with open(os.path.join(top, name)) as f:
                found.append(os.path.relpath(os.path.join(top, name), folder) + "=" + f.read())
    return " ".join(sorted(found))


class Reader(L.LightningWork):
    def __init__(self):
        super().__init__(**placed("READER_NODE"))
        self.held = None
        self.seen = ""

    def run(self, folder, round):
        self.seen = f"{sorted(os.listdir(folder))} | argument {describe(folder)} | state {describe(self.held)}"


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.maker = Maker()
        self.reader = Reader()
        self.round = 1

    def run(self):
        self.maker.run(self.round)
        self.reader.held = self.maker.checkpoint_dir
        self.reader.run(self.maker.checkpoint_dir, self.round)
        if self.reader.seen:
            print(f"round {self.round} reader", self.reader.seen)
            print(f"round {self.round} flow", describe(self.maker.checkpoint_dir))
            self.reader.seen = ""
            self.round += 1
            if self.round == 3:
                self.stop("done")


app = L.LightningApp(Root())
