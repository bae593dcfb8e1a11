"""CPU used by an idle app (one parallel work sleeping), all its processes together (goal < 2% of a core;
the peer: 101%), against a process that only sleeps."""
import subprocess
import sys
import time

from common import app_run, cpu_seconds, report

APP = """
import time
import lightwork as L

class Sleeper(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        print("sleeping")
        time.sleep(3600)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Sleeper()

    def run(self):
        self.w.run()

app = L.LightningApp(F())
"""
SECONDS = 10.0


def main() -> dict:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    with app_run(APP) as run:
        run.wait_line("sleeping")
        time.sleep(1.0)
        pids = run.processes()
        before, ref_before = cpu_seconds(pids), cpu_seconds([sleeper.pid])
        time.sleep(SECONDS)
        used, ref_used = cpu_seconds(pids) - before, cpu_seconds([sleeper.pid]) - ref_before
    sleeper.kill()
    sleeper.wait()
    return report(
        "idle",
        processes=len(pids),
        cpu_percent_of_a_core=round(100 * used / SECONDS, 2),
        sleeping_python_percent=round(100 * ref_used / SECONDS, 2),
        goal="< 2%",
    )


if __name__ == "__main__":
    main()
