import lightning as L
from time import sleep


class WorkCounter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0

    def run(self):
        while True:
            sleep(1)
            print(f"Work {self.counter}")


class Flow(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = WorkCounter()

    def run(self):
        self.w.run()
        sleep(1)
        print(f"Flow {self.w.counter}")
        self.w.counter += 1


app = L.LightningApp(Flow())
