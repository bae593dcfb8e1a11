"""The slow-flow warning: once, when the average of the last FLOW_DURATION_SAMPLES passes is over the threshold."""
import warnings

import pytest

from lightwork.app.flow_timer import FlowTimer
from lightwork.utilities.warnings import LightningFlowWarning


def test_the_warning_comes_once_when_the_recent_average_is_over_a_second():
    timer = FlowTimer()  # 5 samples, 1 s
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(10):
            timer.record(0.9)  # slow, but under the threshold on average
        timer.record(2.0)  # average of the last five: 1.12 s
        timer.record(2.0)
    assert [w.category for w in seen] == [LightningFlowWarning]
    assert "1.1 s per pass over its last 5 passes" in str(seen[0].message)


def test_a_single_slow_first_pass_is_averaged_with_the_passes_not_run_yet():
    timer = FlowTimer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        timer.record(4.0)  # 0.8 s over 5 samples
    with pytest.warns(LightningFlowWarning):
        timer.record(2.0)
