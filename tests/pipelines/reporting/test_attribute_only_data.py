"""Attribute-only customers (no recency, frequency, monetary): names fall back to traits.

Uses the public Mall Customers data in ``<project root>/../shared``; skipped without it.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sklearn.cluster import KMeans

from customer_segmentation.pipelines.reporting.naming import name_segments
from customer_segmentation.pipelines.reporting.profiles import profile_segments
from customer_segmentation.pipelines.reporting.report import render_segmentation_report
from customer_segmentation.pipelines.reporting.rules import derive_segment_rules
from customer_segmentation.pipelines.reporting.settings import (
    NamingSettings,
    RfmSettings,
    RulesSettings,
)
from tests.project import PROJECT_ROOT

from .report_inputs import plot_png, report_inputs

PARAMETERS = yaml.safe_load(
    (PROJECT_ROOT / "conf" / "base" / "parameters_reporting.yml").read_text()
)
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
    return name_segments(
        profile_segments(features, segments),
        segments,
        features,
        RfmSettings(**PARAMETERS["rfm"]),
        NamingSettings(**PARAMETERS["segment_naming"]),
    )


def test_profiles_have_no_revenue_share_but_shares_sum_to_one(mall):
    profiles = profile_segments(*mall)

    assert "revenue_share" not in profiles
    assert profiles["customer_share"].sum() == pytest.approx(1.0)


def test_names_come_from_the_business_vocabulary_and_are_unique(names):
    assert names["rfm_segment"].isna().all()
    assert names["segment_name"].is_unique
    assert names["recommended_action"].is_unique
    families = {name.split(":")[0] for name in names["segment_name"]}
    assert {
        "Affluent Spenders",
        "Affluent Savers",
        "Budget Enthusiasts",
        "Budget Conscious",
    } <= families


def test_actions_come_from_the_trait_patterns(names):
    patterns = {
        pattern["name"]: pattern["action"]
        for pattern in PARAMETERS["segment_naming"]["trait_patterns"]
    }
    for row in names.itertuples():
        family = row.segment_name.split(":")[0]
        if family in patterns:
            assert row.recommended_action == patterns[family]


def test_rules_reproduce_the_income_and_score_segments(mall, names):
    table, summary = derive_segment_rules(*mall, names, RulesSettings())

    assert summary["fidelity"] >= 0.9
    assert set(table["segment_id"]) == set(names["segment_id"])


def test_report_speaks_of_attributes_not_revenue(mall, names):
    features, segments = mall
    inputs = report_inputs(
        features, segments, names, ["annual_income", "spending_score"]
    )

    html = render_segmentation_report(**inputs)

    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert "customer attributes only" in text
    assert "revenue" not in text.lower()
    assert 'id="rfm-grid"' not in text
    # sizes, profiles, projection, 4 model plots: the transaction plots' files
    # (which say the columns are missing) are not shown
    shown = [
        base64.b64decode(data)
        for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    ]
    assert shown == [
        plot_png(name)
        for name in (
            "segment_sizes_plot",
            "segment_profiles_plot",
            "segment_projection_plot",
            "model_selection_metrics_plot",
            "stability_plot",
            "silhouette_plot",
            "dendrogram_plot",
        )
    ]


def test_the_middle_segment_has_no_pattern_and_reads_its_traits_or_typical(names):
    unmatched = names[~names["segment_name"].str.startswith(("Affluent", "Budget"))]

    assert len(unmatched) == 1
