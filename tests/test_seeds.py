"""The seed documents' examples, copied verbatim, run under `lightwork run` with each import spelling."""
import re
import signal
from pathlib import Path

import pytest

SEEDS = Path(__file__).parent / "seeds"
SPELLINGS = {
    "verbatim": lambda source: source,
    "lightning_app": lambda source: source.replace("import lightning as L", "import lightning_app as L").replace(
        "from lightning.app", "from lightning_app"
    ),
    "lightwork": lambda source: source.replace("import lightning as L", "import lightwork as L").replace(
        "from lightning.app", "from lightwork"
    ),
}


def start(lightwork, seed: str, spelling: str):
    source = SPELLINGS[spelling]((SEEDS / seed).read_text())
    if spelling != "verbatim":
        assert source != (SEEDS / seed).read_text()
    return lightwork(source)


def stop(run) -> None:
    run.signal(signal.SIGINT)
    assert run.wait() == 130, run.stderr


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_seed000_toy_counting_app(lightwork, spelling):
    run = start(lightwork, "seed000_toy_counting.py", spelling)
    run.wait_line("1000000")
    stop(run)
    counts = [int(line) for line in run.stdout_lines if line.isdigit()]
    assert counts == sorted(counts) and counts[-1] == 1_000_000


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_seed001_work_counter_reaches_the_flow(lightwork, spelling):
    run = start(lightwork, "seed001_work_to_flow.py", spelling)
    run.wait_line("10000000")
    stop(run)
    counts = [int(line) for line in run.stdout_lines if line.isdigit()]
    assert counts == sorted(counts) and counts[-1] == 10_000_000 and len(set(counts)) > 2


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_seed001_flow_writes_no_longer_diverge(lightwork, spelling):
    run = start(lightwork, "seed001_flow_to_work.py", spelling)
    run.wait_line("Work 3", timeout=30)
    stop(run)
    flow = [int(m.group(1)) for line in run.stdout_lines if (m := re.fullmatch(r"Flow (\d+)", line))]
    work = [int(m.group(1)) for line in run.stdout_lines if (m := re.fullmatch(r"root\.w \| Work (\d+)", line))]
    assert flow[:3] == [0, 1, 2]
    # The peer printed "Work 0" forever; here the work prints the values the flow set.
    assert work[:3] == [1, 2, 3]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_seed002_pretty_state_of_a_non_cached_work(lightwork, spelling):
    run = start(lightwork, "seed002_pretty_state.py", spelling)
    run.wait_line("State: {'works': {'w': {'vars': {'counter': 3}}}}")
    stop(run)
    states = [line for line in run.stdout_lines if line.startswith("State:")]
    assert states[0] == "State: {'works': {'w': {'vars': {'counter': 0}}}} "
    values = [int(re.search(r"'counter': (\d+)", line).group(1)) for line in states]
    assert values == sorted(values)
