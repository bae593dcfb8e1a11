"""Launch to the flow's first `run()` (goal <= 0.5 s; Lightning Apps: 2.4 s), against a bare `python -c` start."""
import subprocess
import sys
import time

from common import app_run, median, report

APP = """
import time
import lightwork as L

class W(L.LightningWork):
    def run(self):
        pass

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = W()

    def run(self):
        print("FIRST", time.monotonic())
        self.stop()

app = L.LightningApp(F())
"""


def bare_python_start() -> float:
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", "import time; print(time.monotonic())"], capture_output=True, text=True)
    return float(out.stdout) - start


def launch_once() -> float:
    with app_run(APP) as run:
        run.wait_line("FIRST")
        first = float(next(line for line in run.stdout_lines if line.startswith("FIRST")).split()[1])
        assert run.wait(30) == 0, run.stderr
        return first - run.started_at


def main() -> dict:
    reference = median([bare_python_start() for _ in range(5)])
    launch = median([launch_once() for _ in range(5)])
    return report(
        "launch",
        first_run_s=round(launch, 3),
        bare_python_s=round(reference, 3),
        ratio_vs_bare_python=round(launch / reference, 2),
        goal="<= 0.5 s",
    )


if __name__ == "__main__":
    main()
