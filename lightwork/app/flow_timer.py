"""Warns once when the root flow's passes take too long: a flow coordinates, works do the work."""
from __future__ import annotations

import collections
import warnings

from ..utilities import constants
from ..utilities.warnings import LightningFlowWarning


class FlowTimer:
    """Keeps the durations of the last FLOW_DURATION_SAMPLES passes; warns (LightningFlowWarning, once per
    app) when their average is above FLOW_DURATION_THRESHOLD seconds (the constants of `core.constants`)."""

    def __init__(self) -> None:
        self._samples = max(1, int(constants.FLOW_DURATION_SAMPLES))
        self._durations: collections.deque = collections.deque([0.0] * self._samples, maxlen=self._samples)
        self._warned = False

    def record(self, seconds: float) -> None:
        self._durations.append(seconds)
        average = sum(self._durations) / self._samples
        if not self._warned and average > constants.FLOW_DURATION_THRESHOLD:
            self._warned = True
            warnings.warn(
                f"the root flow's run() took {average:.1f} s per pass over its last {self._samples} passes: a flow "
                f"only coordinates, so move long computations and blocking or waiting calls into a LightningWork "
                f"and keep each pass well under {constants.FLOW_DURATION_THRESHOLD:g} s",
                LightningFlowWarning,
                stacklevel=2,
            )
