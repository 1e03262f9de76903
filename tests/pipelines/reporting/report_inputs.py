"""Builds every input of ``render_segmentation_report`` for tests, from tiny frames."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import ibis
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.cluster import KMeans

from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.feature_engineering.settings import FeatureSettings
from customer_segmentation.pipelines.modeling.estimator import (
    SegmentationModel,
    build_preprocessor,
)
from customer_segmentation.pipelines.reporting.business import summarise_transactions
from customer_segmentation.pipelines.reporting.profiles import profile_segments
from customer_segmentation.pipelines.reporting.report import REPORT_PLOTS
from customer_segmentation.pipelines.reporting.rules import derive_segment_rules
from customer_segmentation.pipelines.reporting.settings import (
    ReportSettings,
    RfmSettings,
    RulesSettings,
)
from tests.bundles import make_bundle

EMPTY_MIGRATION = pd.DataFrame(
    columns=[
        "previous_segment_id",
        "previous_segment_name",
        "segment_id",
        "segment_name",
        "n_customers",
    ]
)


@cache
def plot_png(name: str) -> bytes:
    """A small PNG that shows ``name``: a different file for every plot."""
    figure = Figure(figsize=(2, 0.5))
    figure.text(0.5, 0.5, name, ha="center", va="center", fontsize=6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def model_selection(k_values: list[int], chosen_k: int, **extra: Any) -> pd.DataFrame:
    """A model selection table of K-means fits with every metric column."""
    n_fits = len(k_values)
    return pd.DataFrame(
        {
            "family": ["kmeans"] * n_fits,
            "algorithm": ["kmeans"] * n_fits,
            "k": k_values,
            "silhouette": np.linspace(0.4, 0.6, n_fits),
            "calinski_harabasz": np.linspace(10.0, 20.0, n_fits),
            "davies_bouldin": np.linspace(1.0, 0.5, n_fits),
            "inertia": np.linspace(100.0, 50.0, n_fits),
            "bic": [np.nan] * n_fits,
            "aic": [np.nan] * n_fits,
            "smallest_segment_share": [0.3] * n_fits,
            "stability": [0.9] * n_fits,
            "stability_std": [0.01] * n_fits,
            "chosen": [k == chosen_k for k in k_values],
            **extra,
        }
    )


def transactions(features: pd.DataFrame) -> ibis.Table:
    """Clean transaction lines: one line per order of each customer, monthly apart."""
    rows = []
    for customer in features.to_dict("records"):
        orders = int(customer.get("frequency", 1))
        for order in range(orders):
            rows.append(
                {
                    "customer_id": customer["customer_id"],
                    "invoice_id": f"{customer['customer_id']}-{order}",
                    "invoice_date": pd.Timestamp("2025-01-15")
                    + pd.DateOffset(months=order % 6),
                    "product_id": "p1",
                    "quantity": 1.0,
                    "unit_price": float(customer.get("monetary", 10.0)) / orders,
                    "line_total": float(customer.get("monetary", 10.0)) / orders,
                    "country": "UK",
                }
            )
    return ibis.memtable(pd.DataFrame(rows))


def orders(features: pd.DataFrame) -> ibis.Table:
    """The orders of :func:`transactions` (``aggregate_customer_orders``)."""
    return aggregate_customer_orders(transactions(features))


def report_inputs(
    features: pd.DataFrame,
    segments: pd.DataFrame,
    names: pd.DataFrame,
    model_features: list[str],
    **overrides: Any,
) -> dict[str, Any]:
    """Every keyword of ``render_segmentation_report`` for one set of segments."""
    k = int(segments["segment_id"].nunique())
    model_input = features[["customer_id", *model_features]]
    model = SegmentationModel(
        build_preprocessor(model_features, [], []),
        KMeans(n_clusters=k, n_init=1, random_state=0),
        order_by=model_features[-1],
    ).fit(model_input.drop(columns="customer_id"))
    rules, summary = derive_segment_rules(
        features, segments, names, RulesSettings(min_leaf_share=0.1)
    )
    transactional = "frequency" in features
    period, monthly = summarise_transactions(
        orders(features) if transactional else ibis.memtable(features.head(0)),
        segments,
        FeatureSettings(),
        "transactions" if transactional else "attributes",
    )
    inputs = {
        "data_quality_report": {
            "dataset": "transactions",
            "rows_in": 10,
            "rows_dropped": {"cancellation": 2},
            "rows_out": 8,
        },
        "model_selection": model_selection([2, 3], 3),
        "segment_profiles": profile_segments(features, segments),
        "segment_names": names,
        "segment_rules": rules,
        "segment_rules_summary": summary,
        "segment_migration": EMPTY_MIGRATION,
        "customer_features": features,
        "sampled_customer_segments": segments,
        "business_period": period,
        "model_bundle": make_bundle(model, list(names["segment_name"])),
        "rfm": RfmSettings(),
        "report": ReportSettings(currency="EUR"),
        **{name: plot_png(name) for name in REPORT_PLOTS},
    }
    return {**inputs, **overrides}
