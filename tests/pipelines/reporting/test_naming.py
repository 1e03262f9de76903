"""Segment names: dominant RFM segment plus strongest traits, unique, with an action."""

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.nodes import (
    name_segments,
    profile_segments,
)
from customer_segmentation.pipelines.reporting.settings import (
    NamingSettings,
    TraitWords,
)

NAMING = NamingSettings(
    max_traits=1,
    min_trait_z=0.5,
    trait_words={"monetary": TraitWords(high="high spend", low="low spend")},
    actions={"Champions": "Reward them"},
    default_action="Review the profile",
)

FEATURES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d"],
        "monetary": [100.0, 90.0, 10.0, 12.0],
        "channel": ["web", "web", "app", "app"],
    }
)
SEGMENTS = pd.DataFrame(
    {"customer_id": ["a", "b", "c", "d"], "segment_id": [0, 0, 1, 1]}
)


def _rfm(segments: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "rfm_segment": pd.array(segments, "string"),
        }
    )


def _names(rfm: pd.DataFrame, naming: NamingSettings = NAMING) -> pd.DataFrame:
    profiles = profile_segments(FEATURES, SEGMENTS)
    return name_segments(profiles, SEGMENTS, rfm, FEATURES, naming).set_index(
        "segment_id"
    )


def test_name_joins_dominant_rfm_segment_and_strongest_trait():
    names = _names(_rfm(["Champions", "Champions", "Lost", "Lost"]))

    assert names.loc[0, "segment_name"] == "Champions: high spend"
    assert names.loc[1, "segment_name"] == "Lost: low spend"


def test_action_comes_from_the_table_with_a_default():
    names = _names(_rfm(["Champions", "Champions", "Lost", "Lost"]))

    assert names.loc[0, "recommended_action"] == "Reward them"
    assert names.loc[1, "recommended_action"] == "Review the profile"


def test_dominant_rfm_share_is_reported():
    names = _names(_rfm(["Champions", "Lost", "Lost", "Lost"]))

    assert names.loc[0, "dominant_rfm_share"] == 0.5
    assert names.loc[1, "dominant_rfm_segment"] == "Lost"


def test_without_rfm_scores_the_name_is_the_strongest_traits():
    names = _names(_rfm([None] * 4))

    assert names.loc[0, "segment_name"] == "High spend"
    assert names.loc[0, "recommended_action"] == "Review the profile"


def test_unlisted_feature_reads_high_or_low_feature():
    naming = NAMING.model_copy(update={"trait_words": {}})

    names = _names(_rfm([None] * 4), naming)

    assert names.loc[1, "segment_name"] == "Low monetary"


def test_over_represented_category_is_a_trait_when_numbers_do_not_stand_out():
    naming = NAMING.model_copy(update={"min_trait_z": 10.0})

    names = _names(_rfm([None] * 4), naming)

    assert names.loc[0, "segment_name"] == "Mostly channel web"


def test_segment_without_any_trait_is_typical():
    naming = NAMING.model_copy(update={"min_trait_z": 10.0, "min_category_lift": 5.0})

    names = _names(_rfm([None] * 4), naming)

    assert names.loc[0, "segment_name"].startswith("Typical customers")


def test_repeated_names_get_the_segment_id_so_names_are_unique():
    naming = NAMING.model_copy(update={"max_traits": 0})

    names = _names(_rfm(["Lost"] * 4), naming)

    assert names["segment_name"].tolist() == ["Lost (segment 0)", "Lost (segment 1)"]
    assert names["segment_name"].is_unique


def test_segment_missing_from_profiles_is_an_error():
    profiles = profile_segments(FEATURES, SEGMENTS).iloc[:1]

    with pytest.raises(ValueError, match=r"no row for segment id\(s\) \[1\]"):
        name_segments(profiles, SEGMENTS, _rfm([None] * 4), FEATURES, NAMING)
