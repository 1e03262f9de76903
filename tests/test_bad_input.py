"""The bad-input matrix: every broken export gets a named error or is counted, never lost.

Each error case asserts the exact error type and that the message names the dataset
or column and the rule broken; each fallback case asserts where the rows went.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ibis
import pandas as pd
import pytest
from kedro_datasets.pandas import CSVDataset
from pydantic import ValidationError

from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    InputValidationError,
    OutlierRule,
    TransactionsSchema,
    flag_customers,
    flag_transactions,
    select_clean_customers,
    select_clean_transactions,
    standardise_customers,
    standardise_transactions,
    summarise_data_quality,
)
from customer_segmentation.pipelines.feature_engineering.nodes import (
    ModelFeatures,
    ModelInputChecks,
    select_model_input,
)


def _lines(**overrides: list) -> pd.DataFrame:
    lines = {
        "customer_id": [1.0, 2.0],
        "invoice_id": ["100", "101"],
        "invoice_date": ["2025-01-01 10:00:00", "2025-01-02 10:00:00"],
        "product_id": ["A", "B"],
        "quantity": [2.0, 1.0],
        "unit_price": [1.5, 2.0],
        "country": ["UK", "UK"],
    }
    lines.update(overrides)
    return pd.DataFrame(lines)


def _standardise(frame: pd.DataFrame) -> ibis.Table:
    return standardise_transactions(
        ibis.memtable(frame), TransactionsSchema(), "transactions"
    )


def _attributes(frame: pd.DataFrame, **schema: object) -> ibis.Table:
    return standardise_customers(frame, CustomersSchema(**schema), "attributes")


def _report(transactions: ibis.Table, kind: str = "transactions") -> dict:
    flagged = flag_transactions(transactions, CleaningRules())
    customers = flag_customers(
        standardise_customers(None, CustomersSchema(), kind), CustomerCleaningRules()
    )
    return summarise_data_quality(
        flagged,
        select_clean_transactions(flagged),
        customers,
        select_clean_customers(customers),
        kind,
    )


def _model_input(features: dict[str, list], numeric: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"customer_id": [str(i) for i in range(3)], **features})
    chosen = ModelFeatures(numeric=numeric, order_segments_by=numeric[0])
    return select_model_input(frame, chosen, ModelInputChecks())


ERROR_CASES: dict[str, tuple[Callable[[], object], type[Exception], str]] = {
    "empty transactions file": (
        lambda: _standardise(_lines().iloc[0:0]),
        InputValidationError,
        r"raw_transactions: the input has no rows \(rule: not empty\)",
    ),
    "required column missing": (
        lambda: _standardise(_lines().drop(columns="unit_price")),
        InputValidationError,
        r"raw_transactions: required column\(s\) \['unit_price'\] missing "
        r"\(rule: required columns present\)",
    ),
    "dates not parseable": (
        lambda: _standardise(_lines(invoice_date=["2025-01-01", "31/31/2025"])),
        InputValidationError,
        r"column 'invoice_date' has 1 value\(s\).*rule: dates parseable.*31/31/2025",
    ),
    "quantity not a number": (
        lambda: _standardise(_lines(quantity=["2", "two"])),
        InputValidationError,
        r"column 'quantity' has 1 value\(s\).*rule: types coercible.*'two'",
    ),
    "infinite price": (
        lambda: _standardise(_lines(unit_price=[1.5, float("inf")])),
        InputValidationError,
        r"column 'unit_price' has 1 infinite value\(s\) \(rule: finite numbers\)",
    ),
    "every customer id missing": (
        lambda: _standardise(_lines(customer_id=[None, None])),
        InputValidationError,
        r"column 'customer_id' is missing on every row \(rule: ids not all missing\)",
    ),
    "transactions needed but absent": (
        lambda: standardise_transactions(None, TransactionsSchema(), "both"),
        InputValidationError,
        r"raw_transactions: input_kind='both' needs transactions.*rule: input present",
    ),
    "unknown input kind": (
        lambda: standardise_transactions(None, TransactionsSchema(), "attrs"),  # type: ignore[arg-type]
        ValueError,
        r"input_kind='attrs' should be one of \['transactions', 'attributes', 'both'\]",
    ),
    "unknown canonical column in mapping": (
        lambda: TransactionsSchema(columns={"customer": "CustomerID"}),
        ValidationError,
        r"transactions_schema.columns: unknown canonical name\(s\) \['customer'\]",
    ),
    "every row filtered out": (
        lambda: _report(_standardise(_lines(quantity=[-1.0, 0.0]))),
        ValueError,
        r"transactions: cleaning dropped every one of 2 row\(s\) \(rule: rows left "
        r"after cleaning\).*non_positive_quantity",
    ),
    "empty attribute file": (
        lambda: _attributes(pd.DataFrame({"customer_id": [], "age": []})),
        InputValidationError,
        r"raw_customers: the input has no rows \(rule: not empty\)",
    ),
    "attributes needed but absent": (
        lambda: standardise_customers(None, CustomersSchema(), "attributes"),
        InputValidationError,
        r"raw_customers: input_kind='attributes' needs customer attributes.*"
        r"rule: input present",
    ),
    "duplicate customer ids in attributes": (
        lambda: _attributes(
            pd.DataFrame({"customer_id": [7, 7.0, 8], "age": [30, 31, 40]}),
            numeric=["age"],
        ),
        InputValidationError,
        r"column 'customer_id' has 1 id\(s\) on more than one row "
        r"\(rule: one row per customer\); examples: \['7'\]",
    ),
    "attribute not a number": (
        lambda: _attributes(
            pd.DataFrame({"customer_id": [1, 2], "age": ["30", "forty"]}),
            numeric=["age"],
        ),
        InputValidationError,
        r"column 'age' has 1 value\(s\).*rule: types coercible.*'forty'",
    ),
    "log outlier rule on a zero": (
        lambda: flag_customers(
            _attributes(
                pd.DataFrame({"customer_id": [1, 2], "spend": [0, 5]}),
                numeric=["spend"],
            ),
            CustomerCleaningRules(
                outliers=OutlierRule(columns=["spend"], log_transform=True)
            ),
        ),
        ValueError,
        r"column 'spend' has 1 value\(s\) <= 0.*rule: outliers.log_transform",
    ),
    "single customer": (
        lambda: select_model_input(
            pd.DataFrame({"customer_id": ["a"], "monetary": [3.0]}),
            ModelFeatures(numeric=["monetary"]),
            ModelInputChecks(),
        ),
        ValueError,
        r"n_customers=1 should be >= model_input_checks.min_customers=2 "
        r"\(rule: enough customers\)",
    ),
    "constant feature": (
        lambda: _model_input(
            {"monetary": [1.0, 2.0, 3.0], "frequency": [1, 1, 1]},
            ["monetary", "frequency"],
        ),
        ValueError,
        r"column 'frequency' has the single value 1 .*\(rule: feature varies\)",
    ),
    "all-NaN feature": (
        lambda: _model_input(
            {"monetary": [1.0, 2.0, 3.0], "gap": [None, None, None]},
            ["monetary", "gap"],
        ),
        ValueError,
        r"column 'gap' is missing for all 3 customers \(rule: feature not all "
        r"missing\)",
    ),
    "infinite feature": (
        lambda: _model_input(
            {"monetary": [1.0, float("inf"), 3.0]},
            ["monetary"],
        ),
        ValueError,
        r"column 'monetary' has 1 infinite value\(s\) \(rule: finite features\)",
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_bad_input_gets_an_error_naming_column_and_rule(case):
    make, error, message = ERROR_CASES[case]

    with pytest.raises(error, match=message):
        make()


def test_future_dated_lines_are_counted_in_the_report():
    lines = _lines(invoice_date=["2025-01-01 10:00:00", "2099-01-01 10:00:00"])
    flagged = flag_transactions(
        _standardise(lines), CleaningRules(latest_valid_date="2026-01-01")
    )

    report = summarise_data_quality(
        flagged,
        select_clean_transactions(flagged),
        flag_customers(
            standardise_customers(None, CustomersSchema(), "transactions"),
            CustomerCleaningRules(),
        ),
        standardise_customers(None, CustomersSchema(), "transactions"),
        "transactions",
    )

    assert report["rows_dropped"] == {"future_dated": 1}
    assert report["rows_in"] == report["rows_out"] + 1


def test_mixed_type_customer_ids_become_one_text_id():
    lines = _lines(
        customer_id=["17850", "17850.0", "A12"],
        invoice_id=["1", "2", "3"],
        invoice_date=["2025-01-01 10:00:00"] * 3,
        product_id=["A", "B", "C"],
        quantity=[1.0, 1.0, 1.0],
        unit_price=[1.0, 1.0, 1.0],
        country=["UK"] * 3,
    )

    result = _standardise(lines).to_pandas()

    assert result["customer_id"].tolist() == ["17850", "17850", "A12"]


def test_byte_order_mark_on_first_column_is_ignored(tmp_path: Path):
    path = tmp_path / "customers.csv"
    path.write_bytes("\ufeffid,age\n1,30\n2,40\n".encode())
    raw = CSVDataset(filepath=str(path)).load()

    result = _attributes(raw, customer_id="id", numeric=["age"]).to_pandas()

    assert result["customer_id"].tolist() == ["1", "2"]


def test_latin1_file_reads_with_the_configured_encoding(tmp_path: Path):
    path = tmp_path / "customers.csv"
    path.write_bytes("id,city\n1,Zürich\n2,Köln\n".encode("latin-1"))
    raw = CSVDataset(filepath=str(path), load_args={"encoding": "latin-1"}).load()

    result = _attributes(raw, customer_id="id", categorical=["city"]).to_pandas()

    assert result["city"].tolist() == ["Zürich", "Köln"]
