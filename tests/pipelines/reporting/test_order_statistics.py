"""Medians and quartiles of every customer but one segment, read at their ranks."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.order_statistics import FeatureOrder


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 10, 599, 600, 1001])
def test_median_and_quartiles_equal_pandas_bit_for_bit(size):
    generator = np.random.default_rng(size)
    # Ties (rounded values), missing values and a few segments, as in features.
    values = np.round(generator.lognormal(3, 1.5, size), 1)
    values[generator.random(size) < 0.1] = np.nan
    segments = generator.integers(0, 3, size)
    order = FeatureOrder(values, segments)

    for segment in range(3):
        rest = pd.Series(values[segments != segment]).dropna()
        ranked = order.without(segment)

        assert ranked.count == len(rest)
        expected = [rest.median(), *rest.quantile([0.25, 0.75])]
        found = [ranked.median(), ranked.quantile(0.25), ranked.quantile(0.75)]
        np.testing.assert_array_equal(found, expected)


def test_no_values_outside_the_segment_have_no_median():
    ranked = FeatureOrder(np.array([1.0, np.nan]), np.array([0, 1])).without(0)

    assert ranked.count == 0
    assert np.isnan(ranked.median())
    assert np.isnan(ranked.quantile(0.25))
