"""Audience files for the CRM: one row per customer, one file per segment, same segments."""

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.pipelines.modeling.settings import ModelFeatures
from customer_segmentation.pipelines.reporting.audiences import (
    build_segment_audiences,
    partition_name,
    split_segment_audiences,
)

FEATURES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "recency_days": [5, 300, 7],
        "frequency": [20, 1, 18],
        "average_order_value": [50.0, 10.0, 60.0],
        "age": [30, 40, 50],
    }
)
SEGMENTS = pd.DataFrame({"customer_id": ["c", "b", "a"], "segment_id": [0, 1, 0]})
NAMES = pd.DataFrame(
    {
        "segment_id": [0, 1],
        "segment_name": ["Champions: frequent buyers", "Lost"],
        "recommended_action": ["Reward", "Let go"],
        "trait_features": ["frequency", "average_order_value; recency_days"],
    }
)
RULES = pd.DataFrame(
    {
        "segment_id": [0, 0, 1],
        "rule": ["frequency >= 10", "recency_days <= 6", "frequency <= 9"],
        "recall": [1.0, 0.5, 1.0],
    }
)
MODEL_FEATURES = ModelFeatures(numeric=["recency_days", "frequency"])


@pytest.fixture
def audiences() -> pd.DataFrame:
    return build_segment_audiences(FEATURES, SEGMENTS, NAMES, RULES, MODEL_FEATURES)


def test_every_customer_gets_segment_name_action_and_main_rule(audiences):
    first = audiences.set_index("customer_id").loc["a"]

    assert audiences["customer_id"].tolist() == ["a", "c", "b"]
    assert first["segment_name"] == "Champions: frequent buyers"
    assert first["recommended_action"] == "Reward"
    assert first["segment_rule"] == "frequency >= 10"


def test_defining_features_are_the_model_and_trait_features(audiences):
    assert list(audiences.columns[5:]) == [
        "recency_days",
        "frequency",
        "average_order_value",
    ]


def test_split_gives_one_table_per_segment(audiences):
    files = split_segment_audiences(audiences)

    assert sorted(files) == ["segment_0_champions", "segment_1_lost"]
    assert files["segment_0_champions"]["customer_id"].tolist() == ["a", "c"]


def test_partition_name_keeps_letters_and_digits():
    assert (
        partition_name(3, "Can't Lose Them: high spend") == "segment_3_can_t_lose_them"
    )


def test_segment_without_a_name_is_an_error():
    with pytest.raises(ValueError, match=r"no row for segment id\(s\) \[1\]"):
        build_segment_audiences(
            FEATURES, SEGMENTS, NAMES.iloc[:1], RULES, MODEL_FEATURES
        )


def test_audience_files_of_a_real_run_agree_with_customer_segments(finished_project):
    reporting = Path(finished_project) / "data" / "08_reporting"
    segments = pd.read_parquet(
        Path(finished_project)
        / "data"
        / "07_model_output"
        / "customer_segments.parquet"
    )
    names = pd.read_csv(reporting / "segment_names.csv")
    audiences = pd.read_csv(
        reporting / "segment_audiences.csv", dtype={"customer_id": str}
    )
    files = {
        path.stem: pd.read_csv(path, dtype={"customer_id": str})
        for path in (reporting / "segment_audiences").glob("*.csv")
    }

    expected = segments.merge(names, on="segment_id")[
        ["customer_id", "segment_id", "segment_name", "recommended_action"]
    ]
    pd.testing.assert_frame_equal(
        audiences[expected.columns].sort_values("customer_id", ignore_index=True),
        expected.sort_values("customer_id", ignore_index=True),
    )
    assert len(files) == len(names)
    stacked = pd.concat(files.values(), ignore_index=True)
    pd.testing.assert_frame_equal(
        stacked.sort_values("customer_id", ignore_index=True),
        audiences.sort_values("customer_id", ignore_index=True),
    )
    for stem, rows in files.items():
        assert rows["segment_id"].nunique() == 1
        row = names.set_index("segment_id").loc[rows["segment_id"].iloc[0]]
        assert stem == partition_name(
            int(rows["segment_id"].iloc[0]), row["segment_name"]
        )
