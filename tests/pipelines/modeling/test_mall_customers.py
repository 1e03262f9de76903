"""The modeling pipeline reproduces the published Mall Customers result (k=5, silhouette 0.554)."""

from __future__ import annotations

import pandas as pd
import pytest

from customer_segmentation.pipelines.modeling import create_pipeline
from customer_segmentation.pipelines.modeling.settings import ModelFeatures

from .support import PROJECT_ROOT, load_modeling_parameters, run_modeling

MALL_CSV = PROJECT_ROOT.parent / "shared/data/mall_customers/Mall_Customers.csv"

pytestmark = pytest.mark.skipif(
    not MALL_CSV.exists(),
    reason=f"public Mall Customers data not found at {MALL_CSV} (../shared is absent)",
)


def test_rule_picks_five_segments_with_the_published_silhouette() -> None:
    raw = pd.read_csv(MALL_CSV)
    model_input = pd.DataFrame(
        {
            "customer_id": raw["CustomerID"].astype(str),
            "annual_income": raw["Annual Income (k$)"].astype(float),
            "spending_score": raw["Spending Score (1-100)"].astype(float),
        }
    )
    features = ModelFeatures(
        numeric=["annual_income", "spending_score"],
        order_segments_by="spending_score",
    )
    # Only configuration differs from the sample run: no log, no scaling.
    parameters = load_modeling_parameters(
        model_preprocessing={"log_transform": [], "scale": False}
    )
    pipeline = create_pipeline().to_outputs("model_selection", "customer_segments")

    catalog = run_modeling(pipeline, model_input, features, parameters)

    selection = catalog["model_selection"].load()
    chosen = selection[selection["chosen"]].iloc[0]
    assert chosen["k"] == 5
    assert chosen["silhouette"] == pytest.approx(0.5539, abs=0.005)
    segments = catalog["customer_segments"].load()
    assert segments["segment_id"].nunique() == 5
