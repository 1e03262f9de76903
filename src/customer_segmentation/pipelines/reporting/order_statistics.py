"""Medians and quartiles of every customer but one segment, from one sort per feature."""

from __future__ import annotations

import numpy as np


class RankedValues:
    """The present values of one feature without one segment's customers, in order.

    Medians and quartiles are read at their ranks instead of being found again
    in a copy of the values, with the arithmetic of NumPy's ``median`` and
    ``percentile`` (``method="linear"``), so they are equal to pandas'
    ``Series.median`` and ``Series.quantile`` of those values, bit for bit.
    """

    def __init__(self, ordered: np.ndarray, kept_so_far: np.ndarray) -> None:
        self._ordered = ordered
        self._kept_so_far = kept_so_far
        self.count = int(kept_so_far[-1]) if len(kept_so_far) else 0

    def at_rank(self, rank: int) -> float:
        """The value of 0-based ``rank`` among the kept values (``0 <= rank < count``)."""
        return float(self._ordered[np.searchsorted(self._kept_so_far, rank + 1)])

    def median(self) -> float:
        """The median (``nan`` without values)."""
        if self.count == 0:
            return float("nan")
        middle = self.count // 2
        if self.count % 2:
            return self.at_rank(middle)
        return (self.at_rank(middle - 1) + self.at_rank(middle)) / 2

    def quantile(self, q: float) -> float:
        """The ``q`` quantile with linear interpolation (``nan`` without values)."""
        if self.count == 0:
            return float("nan")
        virtual = (self.count - 1) * q
        if virtual >= self.count - 1:
            return self.at_rank(self.count - 1)
        below = int(np.floor(virtual))
        gamma = virtual - below
        low, high = self.at_rank(below), self.at_rank(below + 1)
        step = high - low
        # NumPy's _lerp: from the nearer end, so that gamma = 1 gives high exactly.
        return high - step * (1 - gamma) if gamma >= 0.5 else low + step * gamma  # noqa: PLR2004


class FeatureOrder:
    """One feature's present values sorted once, with each value's segment.

    Args:
        values: The feature, one value per customer (``nan`` when missing).
        segments: Each customer's segment id, aligned with ``values``.
    """

    def __init__(self, values: np.ndarray, segments: np.ndarray) -> None:
        present = ~np.isnan(values)
        order = np.argsort(values[present], kind="stable")
        self._ordered = values[present][order]
        self._segments = segments[present][order]

    def without(self, segment: object) -> RankedValues:
        """The values of every customer outside ``segment``.

        Args:
            segment: A segment id.

        Returns:
            Those values, ranked.
        """
        return RankedValues(self._ordered, np.cumsum(self._segments != segment))
