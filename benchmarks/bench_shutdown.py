"""Time from Ctrl+C / SIGTERM to `lightwork run` returning with every process gone, and from SIGKILL of the app
to its works being gone (goal <= 2 s), with one work that swallows the stop request."""
import signal
import time

from common import app_run, median, report

APP = """
import time
import lightwork as L

class Sleeper(L.LightningWork):
    def __init__(self, stubborn):
        super().__init__(parallel=True)
        self.stubborn = stubborn
        self.ready = False

    def run(self):
        self.ready = True
        while True:
            try:
                time.sleep(0.05)
            except BaseException:
                if not self.stubborn:
                    raise

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ws = [Sleeper(stubborn=i == 0) for i in range(4)]
        self._said = False

    def run(self):
        for w in self.ws:
            w.run()
        if not self._said and all(w.ready for w in self.ws):
            self._said = True
            print("ready")

app = L.LightningApp(F())
"""


def time_to_gone(signum: int) -> float:
    with app_run(APP) as run:
        run.wait_line("ready")
        start = time.monotonic()
        run.signal(signum)
        run.wait(30)
        left = run.leftovers(timeout=10)
        assert not left, f"{len(left)} processes left after {signum!r}"
        return time.monotonic() - start


def main() -> dict:
    figures = {sig.name: median([time_to_gone(sig) for _ in range(3)]) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)}
    return report(
        "shutdown",
        **{f"{name.lower()}_s": round(value, 3) for name, value in figures.items()},
        stop_grace_s=1.0,
        goal="<= 2 s",
    )


if __name__ == "__main__":
    main()
