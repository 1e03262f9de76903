"""Segment profiles: sizes, shares, means, medians and distance from the population."""

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.nodes import profile_segments


@pytest.fixture
def features() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "monetary": [10.0, 30.0, 100.0, 60.0],
            "frequency": [1, 3, 5, 5],
            "channel": ["web", "web", "app", "web"],
        }
    )


@pytest.fixture
def segments() -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": ["a", "b", "c", "d"], "segment_id": [1, 1, 0, 0]}
    )


def test_customer_and_revenue_shares_sum_to_one(features, segments):
    profiles = profile_segments(features, segments)

    assert profiles["customer_share"].sum() == pytest.approx(1.0)
    assert profiles["revenue_share"].sum() == pytest.approx(1.0)
    assert profiles.set_index("segment_id")["revenue_share"][0] == pytest.approx(0.8)


def test_means_and_medians_are_per_segment(features, segments):
    profiles = profile_segments(features, segments).set_index("segment_id")

    assert profiles.loc[0, "monetary_mean"] == 80.0
    assert profiles.loc[1, "frequency_median"] == 2.0
    assert profiles.loc[1, "n_customers"] == 2


def test_z_score_measures_distance_from_population_in_standard_deviations(
    features, segments
):
    profiles = profile_segments(features, segments).set_index("segment_id")

    population = features["frequency"]
    expected = (5 - population.mean()) / population.std(ddof=0)
    assert profiles.loc[0, "frequency_z"] == pytest.approx(expected)


def test_constant_feature_has_zero_z_score(segments):
    constant = pd.DataFrame(
        {"customer_id": ["a", "b", "c", "d"], "monetary": [5.0, 5.0, 5.0, 5.0]}
    )

    profiles = profile_segments(constant, segments)

    assert profiles["monetary_z"].tolist() == [0.0, 0.0]


def test_categorical_feature_gets_its_most_common_level(features, segments):
    profiles = profile_segments(features, segments).set_index("segment_id")

    assert profiles.loc[1, "channel_mode"] == "web"
    assert profiles.loc[1, "channel_mode_share"] == 1.0


def test_does_not_change_its_inputs(features, segments):
    before = features.copy()

    profile_segments(features, segments)

    pd.testing.assert_frame_equal(features, before)


def test_customer_without_features_is_an_error(features, segments):
    extra = pd.concat(
        [segments, pd.DataFrame({"customer_id": ["zz"], "segment_id": [0]})]
    )

    with pytest.raises(ValueError, match=r"1 customer\(s\) have no row.*'zz'"):
        profile_segments(features, extra)


def test_no_segmented_customers_is_an_error(features):
    empty = pd.DataFrame({"customer_id": [], "segment_id": []})

    with pytest.raises(ValueError, match="customer_segments: no rows"):
        profile_segments(features, empty)
