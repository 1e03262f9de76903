"""Segment profiles: sizes, shares, means, medians and distance from the population."""

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.profiles import (
    draw_customer_sample,
    join_segments,
    profile_segments,
    robust_scale,
    rows_line_up,
)
from customer_segmentation.pipelines.reporting.settings import CustomerSampleSettings


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


def test_z_score_compares_the_segment_median_with_the_other_customers(
    features, segments
):
    profiles = profile_segments(features, segments).set_index("segment_id")

    # Segment 0 has frequencies [5, 5]; the others [1, 3]: median 2, IQR 1.
    assert profiles.loc[0, "frequency_z"] == pytest.approx((5 - 2) / (1 / 1.349))
    assert profiles.loc[1, "frequency_z"] < 0


def test_coverage_and_side_share_count_members_with_the_value():
    features = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "gap_days": [None, None, 5.0, 40.0, 50.0, 60.0],
        }
    )
    segments = pd.DataFrame(
        {"customer_id": list("abcdef"), "segment_id": [0, 0, 0, 1, 1, 1]}
    )

    profiles = profile_segments(features, segments).set_index("segment_id")

    assert profiles.loc[0, "gap_days_coverage"] == pytest.approx(1 / 3)
    assert profiles.loc[0, "gap_days_side_share"] == pytest.approx(1 / 3)
    assert profiles.loc[1, "gap_days_side_share"] == 1.0


def test_robust_scale_falls_back_when_most_values_are_equal():
    mostly_ones = pd.Series([1, 1, 1, 1, 1, 1, 1, 2, 9])

    assert robust_scale(mostly_ones) == pytest.approx(mostly_ones.std(ddof=0))
    assert robust_scale(pd.Series([3.0, 3.0])) != robust_scale(pd.Series([3.0, 3.0]))


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


def test_segment_without_a_known_level_has_no_mode(segments):
    features = pd.DataFrame(
        {"customer_id": list("abcd"), "country": [None, None, "UK", "FR"]}
    )

    profiles = profile_segments(features, segments).set_index("segment_id")

    assert pd.isna(profiles.loc[1, "country_mode"])
    assert profiles.loc[0, "country_mode_share"] == 0.5


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


def test_segments_in_the_feature_order_join_as_in_any_other_order(features, segments):
    shuffled = segments.iloc[[2, 0, 3, 1]]

    assert rows_line_up(segments, features)
    assert not rows_line_up(shuffled, features)
    pd.testing.assert_frame_equal(
        join_segments(features, segments).iloc[[2, 0, 3, 1]].reset_index(drop=True),
        join_segments(features, shuffled),
    )


def test_repeated_ids_in_the_same_order_are_still_an_error(features, segments):
    twice = pd.concat([features, features], ignore_index=True)
    twice_segments = pd.concat([segments, segments], ignore_index=True)

    assert not rows_line_up(twice_segments, twice)
    with pytest.raises(pd.errors.MergeError, match="not a one-to-one merge"):
        join_segments(twice, twice_segments)


def test_no_segmented_customers_is_an_error(features):
    empty = pd.DataFrame({"customer_id": [], "segment_id": []})

    with pytest.raises(ValueError, match="customer_segments: no rows"):
        profile_segments(features, empty)


def test_customer_sample_keeps_every_customer_below_its_size():
    features = pd.DataFrame({"customer_id": ["b", "a", "c"], "monetary": [2.0, 1, 3]})
    segments = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment_id": [1, 0, 1]})

    sampled_features, sampled_segments = draw_customer_sample(
        features, segments, CustomerSampleSettings(size=100)
    )

    pd.testing.assert_frame_equal(sampled_segments, segments)
    assert sampled_features["monetary"].tolist() == [1.0, 2.0, 3.0]


def test_customer_sample_draws_the_same_customers_run_after_run():
    ids = [f"c{i:04d}" for i in range(1000)]
    features = pd.DataFrame({"customer_id": ids, "monetary": range(1000)})
    segments = pd.DataFrame(
        {"customer_id": ids, "segment_id": [i % 4 for i in range(1000)]}
    )
    settings = CustomerSampleSettings(size=100, random_state=3)

    first, first_segments = draw_customer_sample(features, segments, settings)
    second, _ = draw_customer_sample(features, segments, settings)

    assert len(first) == len(first_segments) == 100
    assert first["customer_id"].is_monotonic_increasing
    pd.testing.assert_frame_equal(first, second)
