"""Slice test: the customer_value pipeline on the built-in sample, through the catalog."""

import json
import warnings

import pandas as pd

from customer_segmentation.pipelines.customer_value.models import (
    VALUE_COLUMNS,
    InsufficientRepeatDataWarning,
)
from tests.project import run_project

VALUE_NODES = ["predict_customer_value_node", "record_value_model_selection_node"]


def test_too_little_repeat_data_warns_and_the_run_still_values_no_one(project_copy):
    # The sample has about 4,000 repeat customers; asking for more than there are
    # customers leaves the models unfitted.
    # Not pytest.warns: it would record, then re-emit, every third-party warning
    # of the run past the project's filters.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InsufficientRepeatDataWarning)
        run_project(
            project_copy,
            ["data_processing", "feature_engineering", "customer_value"],
            runtime_params={"customer_value": {"min_repeat_customers": 10_000}},
            to_nodes=VALUE_NODES,
        )
    assert any(
        issubclass(warning.category, InsufficientRepeatDataWarning)
        and "min_repeat_customers" in str(warning.message)
        for warning in caught
    ), [str(warning.message) for warning in caught]

    features = pd.read_parquet("data/04_feature/customer_features.parquet")
    value = pd.read_parquet("data/07_model_output/customer_value.parquet")
    record = json.loads(
        (
            project_copy / "data/07_model_output/customer_value_model_selection.json"
        ).read_text()
    )
    assert sorted(value["customer_id"]) == sorted(features["customer_id"])
    assert not set(VALUE_COLUMNS) & set(value.columns)
    assert (value["frequency"] >= 0).all()
    assert record["status"] == "insufficient_repeat_data"
    assert record["calibration"]["status"] == "insufficient_repeat_data"
