# app.py
import lightning as L

class CountingWork(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.count = 0

    def run(self):
        for i in range(int(1000000)):
            self.count += 1

class LitWorkflow(L.LightningFlow):
    def __init__(self) -> None:
        super().__init__()
        self.counter = CountingWork(cloud_compute=L.CloudCompute('cpu'))

    def run(self):
        self.counter.run()
        count = self.counter.count
        print(count)

app = L.LightningApp(LitWorkflow())
