"""A work that fails in a helper of the app file. WORK_NODE: a Ray resource to pin it to a node;
MOVE_APP_FILE: the flow moves this file away before the failing call."""
import os

import lightning as L


def divide(x):
    return 1 / x


class Divider(L.LightningWork):
    def __init__(self):
        node = os.environ.get("WORK_NODE")
        super().__init__(cloud_compute=L.CloudCompute("default", resources={node: 1}) if node else None)

    def run(self, x):
        print("dividing by", x)
        divide(x)


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Divider()

    def run(self):
        self.w.run(1)
        if os.environ.get("MOVE_APP_FILE") and os.path.exists(__file__):
            os.rename(__file__, __file__ + ".moved")  # the work must not need the app file from now on
        self.w.run(0)


app = L.LightningApp(Root())
