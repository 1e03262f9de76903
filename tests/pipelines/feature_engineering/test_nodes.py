"""Unit tests of the feature engineering nodes on tiny in-memory tables."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.feature_engineering.nodes import (
    compute_customer_features,
    resolve_reference_date,
    select_model_input,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.feature_engineering.settings import (
    FeatureSettings,
    ModelInputChecks,
)
from customer_segmentation.pipelines.modeling.settings import ModelFeatures

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")


def _clean_lines() -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "a", "b"],
                "invoice_id": ["1", "1", "2", "3"],
                "invoice_date": pd.to_datetime(
                    [
                        "2025-01-01 09:00",
                        "2025-01-01 09:00",
                        "2025-01-11 09:00",
                        "2025-01-06 12:00",
                    ]
                ),
                "product_id": ["p", "q", "p", "p"],
                "quantity": [2.0, 1.0, 4.0, 10.0],
                "unit_price": [5.0, 10.0, 5.0, 1.0],
                "line_total": [10.0, 10.0, 20.0, 10.0],
                "country": ["UK", "UK", "UK", "France"],
            }
        )
    )


def _returned_lines() -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a"],
                "invoice_id": ["C9"],
                "invoice_date": pd.to_datetime(["2025-01-12 09:00"]),
                "product_id": ["p"],
                "quantity": [-1.0],
                "unit_price": [5.0],
                "line_total": [-5.0],
                "country": ["UK"],
            }
        )
    )


def _customers(drop_reason: list[str | None] | None = None) -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "b", "z"],
                "age": [30.0, 50.0, 70.0],
                "drop_reason": pd.Series(
                    drop_reason or [None, None, None], dtype="string"
                ),
            }
        )
    )


def _features_of_both(lines: ibis.Table) -> pd.DataFrame:
    # The features of lines with the returns and attributes above, on 12 January.
    return compute_customer_features(
        aggregate_customer_orders(lines),
        lines,
        _returned_lines(),
        _customers(),
        dt.datetime(2025, 1, 12),
        input_kind="both",
    ).to_pandas()


def test_resolve_reference_date_defaults_to_day_after_last_transaction():
    reference = resolve_reference_date(_clean_lines(), FeatureSettings(), "both")

    assert reference == dt.datetime(2025, 1, 12, 9, 0)


def test_resolve_reference_date_prefers_parameter():
    settings = FeatureSettings(reference_date="2025-02-01")

    assert resolve_reference_date(_clean_lines(), settings, "both") == dt.datetime(
        2025, 2, 1
    )


def test_resolve_reference_date_rejects_empty_transactions():
    empty = _clean_lines().filter(ibis.literal(False))

    with pytest.raises(ValueError, match="no rows left after cleaning"):
        resolve_reference_date(empty, FeatureSettings(), "both")


def test_compute_customer_features_gives_rfm_and_behaviour():
    features = compute_customer_features(
        aggregate_customer_orders(_clean_lines()),
        _clean_lines(),
        _returned_lines(),
        _customers(),
        dt.datetime(2025, 1, 12, 9, 0),
        input_kind="both",
    ).to_pandas()

    customer_a, customer_b = features.to_dict("records")
    assert customer_a["customer_id"] == "a"
    assert customer_a["recency_days"] == 1
    assert customer_a["frequency"] == 2
    assert customer_a["monetary"] == pytest.approx(40.0)
    assert customer_a["average_order_value"] == pytest.approx(20.0)
    assert customer_a["tenure_days"] == 11
    assert customer_a["mean_days_between_purchases"] == pytest.approx(10.0)
    assert customer_a["distinct_products"] == 2
    assert customer_a["return_rate"] == pytest.approx(1 / 4)
    assert customer_a["age"] == 30.0
    assert customer_b["recency_days"] == 5
    assert pd.isna(customer_b["mean_days_between_purchases"])
    assert customer_b["return_rate"] == 0.0
    assert customer_b["country"] == "France"


def test_compute_customer_features_skips_customers_without_purchases():
    features = compute_customer_features(
        aggregate_customer_orders(_clean_lines()),
        _clean_lines(),
        _returned_lines(),
        _customers(),
        dt.datetime(2025, 1, 12),
        input_kind="both",
    ).to_pandas()

    assert features["customer_id"].tolist() == ["a", "b"]


def test_select_model_input_keeps_features_and_order_column():
    features = pd.DataFrame(
        {"customer_id": ["a"], "recency_days": [1], "frequency": [2], "monetary": [3.0]}
    )
    chosen = ModelFeatures(numeric=["recency_days", "frequency"])

    model_input = select_model_input(
        features, chosen, ModelInputChecks(min_customers=1)
    )

    assert list(model_input.columns) == [
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
    ]


def test_select_model_input_names_missing_column():
    features = pd.DataFrame({"customer_id": ["a"], "monetary": [3.0]})

    with pytest.raises(ValueError, match=r"\['income'\] not in customer_features"):
        select_model_input(
            features, ModelFeatures(numeric=["income"]), ModelInputChecks()
        )


def test_select_model_input_requires_a_feature():
    features = pd.DataFrame({"customer_id": ["a"], "monetary": [3.0]})

    with pytest.raises(ValueError, match="at least one"):
        select_model_input(features, ModelFeatures(), ModelInputChecks())


def test_resolve_reference_date_is_not_a_time_for_attribute_only_input():
    empty = _clean_lines().filter(ibis.literal(False))

    assert pd.isna(resolve_reference_date(empty, FeatureSettings(), "attributes"))


def test_compute_customer_features_uses_kept_attributes_only_input():
    empty = _clean_lines().filter(ibis.literal(False))

    features = compute_customer_features(
        aggregate_customer_orders(empty),
        empty,
        _returned_lines().filter(ibis.literal(False)),
        _customers(drop_reason=[None, "outlier", None]),
        pd.NaT,
        input_kind="attributes",
    ).to_pandas()

    assert features.to_dict("list") == {"customer_id": ["a", "z"], "age": [30.0, 70.0]}


def test_compute_customer_features_leaves_out_customers_dropped_as_outliers():
    features = compute_customer_features(
        aggregate_customer_orders(_clean_lines()),
        _clean_lines(),
        _returned_lines(),
        _customers(drop_reason=[None, "outlier", None]),
        dt.datetime(2025, 1, 12),
        input_kind="both",
    ).to_pandas()

    assert features["customer_id"].tolist() == ["a"]


def test_compute_customer_features_without_attributes_keeps_every_buyer():
    no_attributes = _customers().filter(ibis.literal(False))

    features = compute_customer_features(
        aggregate_customer_orders(_clean_lines()),
        _clean_lines(),
        _returned_lines(),
        no_attributes,
        dt.datetime(2025, 1, 12),
        input_kind="transactions",
    ).to_pandas()

    assert features["customer_id"].tolist() == ["a", "b"]


def test_compute_customer_features_breaks_country_ties_by_name():
    two_countries = _clean_lines().filter(ibis._.invoice_id == "1")
    lines = two_countries.mutate(
        country=ibis.ifelse(two_countries.product_id == "p", "UK", "Austria")
    )

    features = _features_of_both(lines)

    # One UK line and one Austria line: the tie goes to the first name.
    assert features["country"].tolist() == ["Austria"]


def test_compute_customer_features_adds_up_a_customer_across_countries():
    # Invoice 1 has a UK and a France line, invoice 2 a UK line and one without a
    # country, which is the last purchase: every line counts once whatever its
    # country, the invoice across two countries is one purchase, and the main
    # country counts named countries only.
    lines = ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "a", "a"],
                "invoice_id": ["1", "1", "2", "2"],
                "invoice_date": pd.to_datetime(
                    [
                        "2025-01-01 09:00",
                        "2025-01-01 09:00",
                        "2025-01-09 09:00",
                        "2025-01-11 09:00",
                    ]
                ),
                "product_id": ["p", "q", "r", "p"],
                "quantity": [1.0, 1.0, 1.0, 1.0],
                "unit_price": [10.0, 10.0, 5.0, 20.0],
                "line_total": [10.0, 10.0, 5.0, 20.0],
                "country": ["UK", "France", "UK", None],
            }
        )
    )

    features = _features_of_both(lines)

    (customer,) = features.to_dict("records")
    assert customer["frequency"] == 2
    assert customer["monetary"] == 45.0
    assert customer["recency_days"] == 0  # the line without a country, 15 h before
    assert customer["tenure_days"] == 10
    assert customer["distinct_products"] == 3
    assert customer["return_rate"] == pytest.approx(1 / 5)
    assert customer["country"] == "UK"


def test_compute_customer_features_keeps_lines_without_a_customer_as_one_row():
    # With drop_missing_customer_id off, the lines without a customer id stay one
    # feature row, every feature from all of them.
    lines = _clean_lines().mutate(
        customer_id=ibis.ifelse(
            ibis._.customer_id == "b", ibis.null(), ibis._.customer_id
        )
    )
    no_customers = _customers().filter(ibis.literal(False))

    features = compute_customer_features(
        aggregate_customer_orders(lines),
        lines,
        _returned_lines(),
        no_customers,
        dt.datetime(2025, 1, 12),
        input_kind="transactions",
    ).to_pandas()

    without_id = features[features["customer_id"].isna()]
    assert len(features) == 2
    assert without_id["frequency"].tolist() == [1]
    assert without_id["monetary"].tolist() == [10.0]
