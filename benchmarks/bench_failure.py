"""A work that dies while a child process it started lives on (a DataLoader, a helper): seconds from its death
until the flow sees it failed (goal <= 1 s; before: as long as the child lived, 60 s here). Five rounds, the
worst is reported; the reference is how long the child would have lived."""

from common import app_run, last_json, report

CHILD_LIFE = 60

APP = """
import json, os, time
import lightwork as L

class Dying(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True, raise_exception=False, cache_calls=False)
        self.died = 0.0

    def run(self):
        if os.fork() == 0:  # as multiprocessing and DataLoaders do: it holds every inherited socket
            time.sleep(CHILD_LIFE)
            os._exit(0)
        time.sleep(0.2)
        with open("died", "w") as f:
            f.write(repr(time.monotonic()))
        os._exit(3)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Dying()
        self._rounds = []

    def run(self):
        if self.w.has_failed:
            with open("died") as f:
                self._rounds.append(time.monotonic() - float(f.read()))
            os.unlink("died")
            if len(self._rounds) == 5:
                print("RESULT " + json.dumps(self._rounds))
                self.stop()
        self.w.run()

app = L.LightningApp(F())
""".replace("CHILD_LIFE", str(CHILD_LIFE))


def main() -> dict:
    with app_run(APP) as run:
        assert run.wait(5 * CHILD_LIFE) == 0, run.stderr
        rounds = last_json(run, "RESULT ")
    return report(
        "failure",
        reported_worst_s=round(max(rounds), 3),
        reported_median_s=round(sorted(rounds)[len(rounds) // 2], 3),
        child_life_s=CHILD_LIFE,
        goal="<= 1 s",
    )


if __name__ == "__main__":
    main()
