import lightning as L


class WorkCounter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0

    def run(self):
        for _ in range(int(10e6)):
            self.counter += 1


class Flow(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = WorkCounter()

    def run(self):
        self.w.run()
        print(self.w.counter)


app = L.LightningApp(Flow())
