"""Property-based tests of the cleaning nodes: every row accounted for, in any order."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    TransactionsSchema,
    flag_customers,
    select_clean_customers,
    select_clean_transactions,
    standardise_customers,
    standardise_transactions,
    summarise_data_quality,
)
from customer_segmentation.pipelines.data_processing.settings import ReadingChecks
from tests.flagging import flag_every_rule

# Few distinct values, so that duplicates, cancellations and returns are common.
lines = st.lists(
    st.fixed_dictionaries(
        {
            "customer_id": st.sampled_from(["1", "2", "3", None]),
            "invoice_id": st.sampled_from(["100", "101", "C102", "103"]),
            "invoice_date": st.sampled_from(
                ["2025-01-01 10:00:00", "2025-01-05 12:30:00", "2025-02-01 08:00:00"]
            ),
            "product_id": st.sampled_from(["A", "B"]),
            "quantity": st.integers(min_value=-2, max_value=4).map(float),
            "unit_price": st.sampled_from([-1.0, 0.0, 1.5, 2.0]),
            "country": st.just("UK"),
        }
    ),
    min_size=1,
    max_size=25,
).filter(lambda rows: any(row["customer_id"] for row in rows))
rules = st.builds(
    CleaningRules,
    drop_missing_customer_id=st.booleans(),
    cancellation_prefix=st.sampled_from(["C", None]),
    drop_non_positive_quantity=st.booleans(),
    drop_non_positive_price=st.booleans(),
    drop_duplicate_lines=st.booleans(),
)
FAST = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _flag(rows: list[dict], cleaning_rules: CleaningRules) -> ibis.Table:
    table = standardise_transactions(
        ibis.memtable(pd.DataFrame(rows)), TransactionsSchema(), "transactions"
    )
    return flag_every_rule(table, cleaning_rules)


def _summarise(flagged: ibis.Table) -> dict:
    no_customers = flag_customers(
        standardise_customers(None, CustomersSchema(), "transactions"),
        CustomerCleaningRules(),
    )
    return summarise_data_quality(
        flagged,
        select_clean_transactions(flagged),
        no_customers,
        select_clean_customers(no_customers),
        "transactions",
        # Invoice ids, dates and customer ids are drawn apart, so an id recurs
        # on other days and with and without a customer, and dates lie years
        # apart: the accounting is under test here, not those rules
        # (tests/test_bad_input.py).
        reading_checks=ReadingChecks(
            max_invoice_span_days=None,
            max_date_gap_days=None,
            customer_on_every_line=False,
        ),
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@FAST
@given(rows=lines, cleaning_rules=rules)
def test_every_line_is_kept_or_dropped_under_exactly_one_rule(rows, cleaning_rules):
    flagged = _flag(rows, cleaning_rules)
    n_clean = select_clean_transactions(flagged).count().execute()

    if n_clean == 0:
        with pytest.raises(ValueError, match="rule: rows left after cleaning"):
            _summarise(flagged)
        return
    report = _summarise(flagged)

    assert report["rows_in"] == len(rows)
    assert report["rows_in"] == sum(report["rows_dropped"].values()) + n_clean
    assert report["rows_out"] == n_clean


@FAST
@given(rows=lines, cleaning_rules=rules, seed=st.integers(0, 2**16))
def test_cleaning_does_not_depend_on_row_order(rows, cleaning_rules, seed):
    shuffled = pd.DataFrame(rows).sample(frac=1, random_state=seed).to_dict("records")

    clean = select_clean_transactions(_flag(rows, cleaning_rules)).to_pandas()
    clean_shuffled = select_clean_transactions(
        _flag(shuffled, cleaning_rules)
    ).to_pandas()

    pd.testing.assert_frame_equal(_sorted(clean), _sorted(clean_shuffled))


@FAST
@given(rows=lines)
def test_clean_lines_break_no_default_rule(rows):
    clean = select_clean_transactions(_flag(rows, CleaningRules())).to_pandas()

    assert clean["customer_id"].notna().all()
    assert not clean["invoice_id"].str.startswith("C").any()
    assert (clean["quantity"] > 0).all()
    assert (clean["unit_price"] > 0).all()
    assert not clean.duplicated().any()
