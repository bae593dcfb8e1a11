# Seed 004's code blocks, verbatim; only the flow that runs them (the seed's literalinclude) is ours.
from lightning_app import LightningFlow, LightningWork
from lightning_app.core.app import LightningApp
from lightning_app.storage.drive import Drive


class Work_A(LightningWork):

    def __init__(self):
        super().__init__()
        # The identifier of the Drive is ``drive_1``
        # Note: You need to add Lightning protocol ``lit://`` as a prefix.
        self.drive_1 = Drive("lit://drive_1")

    def run(self):
        # 1. Create a file.
        with open("a.txt", "w") as f:
            f.write("Hello World !")

        # 2. Put the file into the drive.
        self.drive_1.put("a.txt")


class Work_B(LightningWork):

    def __init__(self):
        super().__init__()

        # Note: Work B has access 2 drives.

        # The identifier of this Drive is ``drive_1``
        self.drive_1 = Drive("lit://drive_1")
        # The identifier of this Drive is ``drive_2``
        self.drive_2 = Drive("lit://drive_2")

    def run(self):
        # 1. Create a file.
        with open("b.txt", "w") as f:
            f.write("Hello World !")

        # 2. Put the file into both drives.
        self.drive_1.put("b.txt")
        self.drive_2.put("b.txt")

class Work_C(LightningWork):

    def __init__(self):
        super().__init__()
        self.drive_2 = Drive("lit://drive_2")

    def run(self):
        # 1. Create a file.
        with open("c.txt", "w") as f:
            f.write("Hello World !")

        # 2. Put the file into the drive.
        self.drive_2.put("c.txt")


class Actions(LightningWork):
    def run(self):
        drive = Drive("lit://drive")

        print(drive.list(".")) # Returns [] as empty

        # Created file.
        with open("a.txt", "w") as f:
            f.write("Hello World !")

        drive.put("a.txt")

        print(drive.list(".")) # Returns ["a.txt"] as the file copied in the Drive during the put action.

        drive.get("a.txt") # Get the file into the current worker

        drive.delete("a.txt")

        print(drive.list(".")) # Returns [] as empty


class Flow(LightningFlow):
    def __init__(self):
        super().__init__()
        self.drive_1 = Drive("lit://drive_1")
        self.a, self.b, self.c, self.actions = Work_A(), Work_B(), Work_C(), Actions()

    def run(self):
        self.actions.run()
        for work in (self.a, self.b, self.c):
            work.run()
        print("drive_1", self.drive_1.list("."), "drive_2", self.c.drive_2.list("."))
        self.stop("drives done")


app = LightningApp(Flow())
