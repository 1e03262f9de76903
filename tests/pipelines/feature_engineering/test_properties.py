"""Property-based tests of the feature nodes: one row per buyer, sane values, any order."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_segmentation.pipelines.feature_engineering.nodes import (
    compute_customer_features,
    resolve_reference_date,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.feature_engineering.settings import FeatureSettings

clean_lines = st.lists(
    st.fixed_dictionaries(
        {
            "customer_id": st.sampled_from(["a", "b", "c", "d"]),
            "invoice_id": st.sampled_from(["1", "2", "3", "4", "5"]),
            "invoice_date": st.datetimes(
                min_value=pd.Timestamp("2024-01-01").to_pydatetime(),
                max_value=pd.Timestamp("2025-12-31").to_pydatetime(),
            ).map(lambda moment: moment.replace(microsecond=0)),
            "product_id": st.sampled_from(["p", "q", "r"]),
            "quantity": st.integers(min_value=1, max_value=5).map(float),
            "unit_price": st.sampled_from([0.5, 1.0, 9.99]),
            "country": st.sampled_from(["UK", "France"]),
        }
    ),
    min_size=1,
    max_size=20,
)
FAST = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
NO_CUSTOMERS = ibis.memtable(
    pd.DataFrame({"customer_id": pd.Series([], dtype="string")}).assign(
        drop_reason=pd.Series([], dtype="string")
    )
)


def _lines_table(rows: list[dict]) -> ibis.Table:
    lines = pd.DataFrame(rows)
    return ibis.memtable(lines.assign(line_total=lines.quantity * lines.unit_price))


def _features(rows: list[dict]) -> pd.DataFrame:
    lines = _lines_table(rows)
    reference = resolve_reference_date(lines, FeatureSettings(), "transactions")
    no_returns = lines.filter(ibis.literal(False))
    return compute_customer_features(
        aggregate_customer_orders(lines),
        lines,
        no_returns,
        NO_CUSTOMERS,
        reference,
        input_kind="transactions",
    ).to_pandas()


@FAST
@given(rows=clean_lines)
def test_one_feature_row_per_customer_with_a_clean_line(rows):
    features = _features(rows)

    assert features["customer_id"].is_unique
    assert set(features["customer_id"]) == {row["customer_id"] for row in rows}


@FAST
@given(rows=clean_lines)
def test_recency_frequency_and_tenure_are_non_negative(rows):
    features = _features(rows)

    assert (features["recency_days"] >= 0).all()
    assert (features["frequency"] >= 1).all()
    assert (features["recency_days"] <= features["tenure_days"]).all()
    assert features["return_rate"].eq(0).all()


@FAST
@given(rows=clean_lines, seed=st.integers(0, 2**16))
def test_features_do_not_depend_on_row_order(rows, seed):
    shuffled = pd.DataFrame(rows).sample(frac=1, random_state=seed).to_dict("records")

    features = _features(rows)
    features_shuffled = _features(shuffled)

    pd.testing.assert_frame_equal(
        features.reset_index(drop=True), features_shuffled.reset_index(drop=True)
    )
