"""The duplicate-line rule after the write: keys, the repeated lines and the flagged view."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.data_processing.duplicates import (
    repeated_lines,
    with_duplicate_lines,
)
from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    TransactionsSchema,
    find_repeated_lines,
    flag_transactions,
    standardise_transactions,
)
from tests.flagging import flag_every_rule

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")


def _standard(**columns: list) -> ibis.Table:
    n_lines = len(next(iter(columns.values())))
    lines = {
        "customer_id": ["1"] * n_lines,
        "invoice_id": ["100"] * n_lines,
        "invoice_date": ["2025-01-01 10:00:00"] * n_lines,
        "product_id": ["A"] * n_lines,
        "quantity": [2] * n_lines,
        "unit_price": [1.5] * n_lines,
        "country": ["UK"] * n_lines,
    } | columns
    return standardise_transactions(
        ibis.memtable(pd.DataFrame(lines)), TransactionsSchema(), "transactions"
    )


def _reasons(table: ibis.Table) -> list[tuple]:
    frame = table.to_pandas().fillna({"drop_reason": "kept"})
    return sorted(zip(frame["product_id"], frame["drop_reason"], strict=True))


def test_only_lines_no_other_rule_drops_get_a_key():
    keyed = flag_transactions(
        _standard(invoice_id=["100", "C101", "C101"]), CleaningRules()
    ).to_pandas()

    kept = keyed[keyed["drop_reason"].isna()]
    assert kept["line_key"].notna().all()
    assert keyed.loc[keyed["drop_reason"].notna(), "line_key"].isna().all()


def test_identical_lines_another_rule_drops_keep_that_rule():
    flagged = flag_every_rule(
        _standard(invoice_id=["C101", "C101", "100", "100"]), CleaningRules()
    ).to_pandas()

    assert sorted(flagged["drop_reason"].fillna("kept")) == [
        "cancellation",
        "cancellation",
        "duplicate_line",
        "kept",
    ]


def test_lines_sharing_a_key_are_compared_on_every_column():
    # Three lines under one key, as a collision of the hash would give: two
    # identical lines (one is a copy) and a different one (kept).
    lines = flag_transactions(
        _standard(product_id=["A", "A", "B"]), CleaningRules(drop_duplicate_lines=False)
    )
    keyed = lines.mutate(line_key=ibis.literal(7, "int64"))

    repeated = repeated_lines(keyed)
    flagged = with_duplicate_lines(keyed, repeated)

    assert repeated.count().to_pyarrow().as_py() == 3
    assert _reasons(flagged) == [("A", "duplicate_line"), ("A", "kept"), ("B", "kept")]
    assert "line_key" not in flagged.columns


def test_lines_whose_key_does_not_repeat_are_not_grouped():
    keyed = flag_transactions(_standard(product_id=["A", "B", "B"]), CleaningRules())

    repeated = find_repeated_lines(keyed, CleaningRules())

    assert sorted(repeated.product_id.to_pyarrow().to_pylist()) == ["B", "B"]
    assert _reasons(with_duplicate_lines(keyed, repeated)) == [
        ("A", "kept"),
        ("B", "duplicate_line"),
        ("B", "kept"),
    ]


def test_kept_duplicate_lines_find_no_repeated_line():
    rules = CleaningRules(drop_duplicate_lines=False)
    keyed = flag_transactions(_standard(product_id=["A", "A"]), rules)

    assert keyed.line_key.isnull().all().to_pyarrow().as_py()
    assert find_repeated_lines(keyed, rules).count().to_pyarrow().as_py() == 0
    assert _reasons(flag_every_rule(_standard(product_id=["A", "A"]), rules)) == [
        ("A", "kept"),
        ("A", "kept"),
    ]


def test_a_copy_that_differs_only_in_the_sign_of_zero_is_a_copy():
    # Both engines group -0.0 with 0.0; the key must bring them together too.
    rules = CleaningRules(drop_non_positive_quantity=False)
    flagged = flag_every_rule(_standard(quantity=[0.0, -0.0, 2.0]), rules)

    assert sorted(flagged.drop_reason.fill_null("kept").to_pyarrow().to_pylist()) == [
        "duplicate_line",
        "kept",
        "kept",
    ]
