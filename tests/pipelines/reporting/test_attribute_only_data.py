"""Attribute-only customers (no recency, frequency, monetary): names fall back to traits.

Uses the public Mall Customers data in ``<project root>/../shared``; skipped without it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.cluster import KMeans

from customer_segmentation.pipelines.reporting.nodes import (
    derive_segment_rules,
    name_segments,
    profile_segments,
    score_rfm,
)
from customer_segmentation.pipelines.reporting.report import render_segmentation_report
from customer_segmentation.pipelines.reporting.settings import (
    NamingSettings,
    ProjectionSettings,
    ReportSettings,
    RfmSettings,
    RulesSettings,
)
from tests.bundles import tiny_bundle

MALL = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "mall_customers"
    / "Mall_Customers.csv"
)
pytestmark = pytest.mark.skipif(
    not MALL.exists(), reason=f"shared public data not found at {MALL}"
)


@pytest.fixture(scope="module")
def mall() -> tuple[pd.DataFrame, pd.DataFrame]:
    features = pd.read_csv(MALL, dtype={"CustomerID": str}).rename(
        columns={
            "CustomerID": "customer_id",
            "Genre": "gender",
            "Age": "age",
            "Annual Income (k$)": "annual_income",
            "Spending Score (1-100)": "spending_score",
        }
    )
    # The published reference segmentation: K-means, k=5, income and score.
    labels = KMeans(n_clusters=5, n_init=10, random_state=42).fit_predict(
        features[["annual_income", "spending_score"]]
    )
    segments = pd.DataFrame(
        {"customer_id": features["customer_id"], "segment_id": labels}
    )
    return features, segments


@pytest.fixture(scope="module")
def names(mall) -> pd.DataFrame:
    features, segments = mall
    rfm = score_rfm(features, RfmSettings())
    return name_segments(
        profile_segments(features, segments), segments, rfm, features, NamingSettings()
    )


def test_profiles_have_no_revenue_share_but_shares_sum_to_one(mall):
    profiles = profile_segments(*mall)

    assert "revenue_share" not in profiles
    assert profiles["customer_share"].sum() == pytest.approx(1.0)


def test_names_come_from_traits_and_are_unique(names):
    assert names["dominant_rfm_segment"].isna().all()
    assert names["segment_name"].is_unique
    assert any("high annual income" in name.lower() for name in names["segment_name"])
    assert any("low spending score" in name.lower() for name in names["segment_name"])


def test_rules_reproduce_the_income_and_score_segments(mall, names):
    _, summary = derive_segment_rules(*mall, names, RulesSettings())

    assert summary["fidelity"] >= 0.9


def test_report_renders_without_rfm_columns(mall, names):
    features, segments = mall
    rules, summary = derive_segment_rules(features, segments, names, RulesSettings())
    selection = pd.DataFrame(
        {"algorithm": ["kmeans"], "k": [5], "silhouette": [0.55], "chosen": [True]}
    )

    html = render_segmentation_report(
        {"dataset": "mall_customers", "rows_in": 200, "rows_out": 200},
        selection,
        profile_segments(features, segments),
        names,
        rules,
        summary,
        pd.DataFrame(),
        features,
        segments,
        RfmSettings(),
        ProjectionSettings(),
        ReportSettings(image_dpi=50),
        tiny_bundle(),
    )

    assert html.count("data:image/png;base64,") == 6
    assert "mall_customers" in html


def test_the_middle_segment_is_named_typical(names):
    assert "Typical customers" in set(names["segment_name"])
