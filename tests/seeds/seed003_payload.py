import lightning_app as lapp  # the seed writes `import lightning_app as la` but then uses `lapp`
import pandas as pd


class SourceWork(lapp.LightningWork):
    def __init__(self):
        super().__init__()
        self.df = None

    def run(self):
        # do some processing

        df = pd.DataFrame(data={"col1": [1, 2], "col2": [3, 4]})

        # The object you care about needs to be wrapped into a Payload object.
        self.df = lapp.storage.Payload(df)

        # You can access the original object from the payload using its value property.
        print("src", self.df.value)
        # src  col1  col2
        # 0     1     3
        # 1     2     4

class DestinationWork(lapp.LightningWork):
    def run(self, df: lapp.storage.Payload):
        # You can access the original object from the payload using its value property.
        print("dst", df.value)
        # dst  col1  col2
        # 0     1     3
        # 1     2     4


class Flow(lapp.LightningFlow):
    def __init__(self):
        super().__init__()
        self.src = SourceWork()
        self.dst = DestinationWork()

    def run(self):
        self.src.run()
        # The pandas DataFrame created by the ``SourceWork``
        # is passed to the ``DestinationWork``.
        # Internally, Lightning pickles and un-pickle the python object,
        # so you receive a copy of the original object.
        self.dst.run(df=self.src.df)


app = lapp.LightningApp(Flow())
