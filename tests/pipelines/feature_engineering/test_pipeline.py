"""Slice test: the feature engineering pipeline on cleaned sample data, through the catalog."""

import pandas as pd

from tests.project import run_project


def test_feature_engineering_pipeline_writes_one_row_per_customer(project_copy):
    run_project(project_copy, ["data_processing"])
    run_project(project_copy, ["feature_engineering"])

    features = pd.read_parquet("data/04_feature/customer_features.parquet")
    model_input = pd.read_parquet("data/05_model_input/model_input.parquet")
    assert features["customer_id"].is_unique
    assert len(features) == 5_000
    assert (features[["recency_days", "frequency", "tenure_days"]] >= 0).all().all()
    assert (features["recency_days"] <= features["tenure_days"]).all()
    assert features["return_rate"].between(0, 1).all()
    assert features["age"].notna().all()
    assert list(model_input.columns) == [
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
    ]
