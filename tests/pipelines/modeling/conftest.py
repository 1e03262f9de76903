"""Fixtures shared by the modeling tests."""

from __future__ import annotations

import pandas as pd
import pytest

from customer_segmentation.pipelines.modeling.settings import (
    ModelFeatures,
    ModelSearchSettings,
)


@pytest.fixture
def fast_search() -> ModelSearchSettings:
    """A small k range with few resamples, for tiny frames."""
    return ModelSearchSettings(
        k_min=2,
        k_max=4,
        random_state=0,
        fit_sample_size=100,
        silhouette_sample_size=100,
        stability_sample_size=100,
        stability_resamples=2,
    )


@pytest.fixture
def three_groups() -> pd.DataFrame:
    """Twelve customers in three obvious groups of four (spend and visits)."""
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:02d}" for i in range(12)],
            "spend": [10.0, 11, 12, 13, 50, 51, 52, 53, 100, 101, 102, 103],
            "visits": [1.0, 2, 1, 2, 10, 11, 10, 11, 20, 21, 20, 21],
        }
    )


@pytest.fixture
def spend_visits() -> ModelFeatures:
    """Both columns are features; segment ids follow spend, highest first."""
    return ModelFeatures(numeric=["spend", "visits"], order_segments_by="spend")
