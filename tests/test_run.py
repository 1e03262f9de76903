"""End-to-end: the whole project through a KedroSession on a copy with the built-in sample."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.bundle import CustomerValueModels
from customer_segmentation.pipelines.customer_value.models import (
    predict_customer_value,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
)
from tests.project import run_project

MIN_ADJUSTED_RAND_INDEX = 0.8


def _segments() -> pd.DataFrame:
    return pd.read_parquet("data/07_model_output/customer_segments.parquet")


def test_kedro_run_recovers_planted_groups_with_stable_ids(
    finished_project, tmp_path, monkeypatch
):
    # A copy of the session's finished run: this test writes a second model run.
    project_copy = Path(shutil.copytree(finished_project, tmp_path / "project"))
    monkeypatch.chdir(project_copy)

    segments = _segments()
    truth = pd.read_csv("data/01_raw/sample_truth.csv", dtype={"customer_id": str})
    joined = segments.merge(truth, on="customer_id", validate="one_to_one")
    assert len(joined) == len(truth)
    ari = adjusted_rand_score(joined["planted_group"], joined["segment_id"])
    print(f"adjusted Rand index against the planted groups: {ari:.4f}")  # noqa: T201
    assert ari >= MIN_ADJUSTED_RAND_INDEX

    profiles = pd.read_csv("data/08_reporting/segment_profiles.csv")
    assert profiles["customer_share"].sum() == pytest.approx(1.0)
    assert profiles["monetary_mean"].is_monotonic_decreasing
    plots = sorted((project_copy / "data/08_reporting").glob("*.png"))
    assert len(plots) >= 2
    for plot in plots:
        with Image.open(plot) as image:
            assert image.width > 300 and image.height > 200

    value = pd.read_parquet("data/07_model_output/customer_value.parquet")
    assert sorted(value["customer_id"]) == sorted(segments["customer_id"])
    assert value["clv"].notna().all()
    # The published bundle's value models give the training values again.
    bundles = project_copy / "data/06_models/model_bundle"
    latest = json.loads((bundles / "LATEST").read_text())["version"]
    value_models = CustomerValueModels.model_validate_json(
        (bundles / latest / "customer_value_models.json").read_text()
    )
    summary = pd.read_parquet("data/04_feature/customer_purchase_summary.parquet")
    again = predict_customer_value(value_models, summary, CustomerValueSettings())
    pd.testing.assert_frame_equal(
        again.set_index("customer_id").sort_index(),
        value.set_index("customer_id").sort_index(),
    )
    report = (project_copy / "data/08_reporting/segmentation_report.html").read_text()
    assert '<section id="customer-value">' in report
    assert "Share of future value" in report

    # Modelling again from the same features gives the same segment ids.
    run_project(project_copy, ["modeling"])
    rerun = _segments()
    pd.testing.assert_frame_equal(segments, rerun)
