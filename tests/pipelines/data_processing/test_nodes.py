"""Unit tests of the data processing nodes on tiny in-memory tables."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    InputValidationError,
    OutlierRule,
    TransactionsSchema,
    flag_customers,
    flag_customers_to_score,
    select_clean_customers,
    select_clean_transactions,
    select_returned_transactions,
    standardise_customers,
    standardise_transactions,
    summarise_data_quality,
)
from customer_segmentation.pipelines.data_processing.settings import Bounds
from tests.flagging import flag_every_rule

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")


def _raw_lines(**overrides) -> pd.DataFrame:
    lines = {
        "customer_id": [1.0, 1.0, None, 2.0],
        "invoice_id": ["100", "C101", "102", "103"],
        "invoice_date": [
            "2025-01-01 10:00:00",
            "2025-01-02 10:00:00",
            "2025-01-03 10:00:00",
            "2025-01-04 10:00:00",
        ],
        "product_id": ["A", "A", "B", "B"],
        "quantity": [2, -2, 1, 3],
        "unit_price": [1.5, 1.5, 2.0, 2.0],
        "country": ["UK"] * 4,
    }
    lines.update(overrides)
    return pd.DataFrame(lines)


def _customers_table() -> ibis.Table:
    return standardise_customers(
        pd.DataFrame({"customer_id": [1, 2], "age": [30, 40]}),
        CustomersSchema(numeric=["age"]),
        "both",
    )


def _summarise(flagged: ibis.Table, clean: ibis.Table) -> dict:
    flagged_customers = flag_customers(_customers_table(), CustomerCleaningRules())
    return summarise_data_quality(
        flagged,
        clean,
        flagged_customers,
        select_clean_customers(flagged_customers),
        "both",
    )


def _standard(frame: pd.DataFrame) -> ibis.Table:
    return standardise_transactions(ibis.memtable(frame), TransactionsSchema(), "both")


def test_standardise_transactions_casts_to_canonical_types():
    result = _standard(_raw_lines()).to_pandas()

    assert list(result.columns) == [
        "customer_id",
        "invoice_id",
        "invoice_date",
        "product_id",
        "quantity",
        "unit_price",
        "line_total",
        "country",
        "read_problem",
        "read_problem_value",
        "id_normalised",
    ]
    assert result["line_total"].tolist() == [3.0, -3.0, 2.0, 6.0]
    assert result["customer_id"].tolist()[:2] == ["1", "1"]
    assert pd.isna(result["customer_id"].iloc[2])
    assert result["invoice_date"].iloc[0] == pd.Timestamp("2025-01-01 10:00:00")


def test_standardise_transactions_renames_mapped_columns():
    raw = _raw_lines().rename(columns={"customer_id": "CustomerID", "quantity": "Qty"})
    schema = TransactionsSchema(
        columns={
            "customer_id": "CustomerID",
            "invoice_id": "invoice_id",
            "invoice_date": "invoice_date",
            "product_id": "product_id",
            "quantity": "Qty",
            "unit_price": "unit_price",
            "country": "country",
        }
    )

    result = standardise_transactions(ibis.memtable(raw), schema, "both").to_pandas()

    assert result["quantity"].tolist() == [2.0, -2.0, 1.0, 3.0]


def test_standardise_transactions_names_missing_column():
    raw = _raw_lines().drop(columns="unit_price")

    with pytest.raises(
        InputValidationError, match=r"raw_transactions.*\['unit_price'\]"
    ):
        _standard(raw)


def test_standardise_transactions_marks_unparseable_dates():
    raw = _raw_lines(invoice_date=["2025-01-01", "yesterday", "2025-01-03", "soon"])

    result = _standard(raw).to_pandas()

    problems = result["read_problem"].dropna()
    assert problems.to_dict() == {
        1: "unparseable_invoice_date",
        3: "unparseable_invoice_date",
    }
    assert result["read_problem_value"].dropna().tolist() == ["yesterday", "soon"]


def test_standardise_transactions_fills_missing_country_with_null():
    result = _standard(_raw_lines().drop(columns="country")).to_pandas()

    assert result["country"].isna().all()


def test_standardise_transactions_reads_missing_value_tokens_as_null():
    raw = _raw_lines(
        invoice_id=["100", "NA", " null ", None],
        product_id=["", "A", "#N/A", "none"],
        country=["UK", " N/A", None, "NAN "],
    )

    result = _standard(raw).to_pandas()

    assert result["invoice_id"].isna().tolist() == [False, True, True, True]
    assert result["product_id"].isna().tolist() == [True, False, True, True]
    assert result["country"].isna().tolist() == [False, True, True, True]
    assert result["read_problem"].tolist()[1:] == ["missing_invoice_id"] * 3


def test_standardise_transactions_refuses_a_fractional_id_read_from_padded_text():
    raw = _raw_lines(invoice_id=["100", " 101.5\u200b", "102.0", "103"])

    with pytest.raises(InputValidationError, match=r"'invoice_id' has 1 value.*whole"):
        _standard(raw)


def test_standardise_transactions_reads_a_token_with_a_point_as_missing():
    schema = TransactionsSchema(missing_values=["0.5"])
    raw = _raw_lines(invoice_id=["100", " 0.5 ", "102", "103"])

    result = standardise_transactions(ibis.memtable(raw), schema, "both").to_pandas()

    assert result["invoice_id"].isna().tolist() == [False, True, False, False]


def test_standardise_customers_keeps_configured_attributes():
    raw = pd.DataFrame(
        {
            "id": [7, 8],
            "age": [30, 40],
            "tier": ["a", "b"],
            "joined": ["2024-01-01", None],
        }
    )
    schema = CustomersSchema(
        customer_id="id", numeric=["age"], categorical=["tier"], dates=["joined"]
    )

    result = standardise_customers(ibis.memtable(raw), schema, "both").to_pandas()

    assert list(result.columns) == [
        "customer_id",
        "age",
        "tier",
        "joined",
        "read_problem",
        "read_problem_value",
        "id_normalised",
    ]
    assert result["customer_id"].tolist() == ["7", "8"]
    assert result["joined"].iloc[0] == pd.Timestamp("2024-01-01")


def test_standardise_customers_rejects_repeated_ids():
    raw = pd.DataFrame({"customer_id": [7, 7, 8], "age": [30, 31, 40]})

    with pytest.raises(InputValidationError, match=r"one row per customer.*\['7'\]"):
        standardise_customers(
            ibis.memtable(raw), CustomersSchema(numeric=["age"]), "both"
        )


def test_standardise_customers_names_missing_attribute():
    raw = pd.DataFrame({"customer_id": [7], "age": [30]})

    with pytest.raises(InputValidationError, match=r"raw_customers.*\['income'\]"):
        standardise_customers(
            ibis.memtable(raw), CustomersSchema(numeric=["income"]), "both"
        )


def test_flag_transactions_names_first_rule_broken():
    raw = _raw_lines(
        customer_id=[1.0, 1.0, None, 2.0, 2.0, 3.0],
        invoice_id=["100", "C101", "C102", "103", "103", "104"],
        invoice_date=["2025-01-01 10:00:00"] * 6,
        product_id=["A", "A", "B", "B", "B", "C"],
        quantity=[2, -2, -1, 3, 3, 1],
        unit_price=[1.5, 1.5, 2.0, 2.0, 2.0, 0.0],
        country=["UK"] * 6,
    )

    flagged = flag_every_rule(_standard(raw), CleaningRules()).to_pandas()

    reason_by_invoice = (
        flagged.fillna({"drop_reason": "kept"})
        .groupby("invoice_id")["drop_reason"]
        .agg(sorted)
    )
    assert reason_by_invoice.to_dict() == {
        "100": ["kept"],
        "C101": ["cancellation"],
        "C102": ["missing_customer_id"],
        "103": ["duplicate_line", "kept"],
        "104": ["non_positive_price"],
    }


def test_duplicate_lines_count_every_copy_and_every_normalised_id():
    # "2" and "2.0" are the same customer once read: the three lines are copies.
    raw = _raw_lines(
        customer_id=["2", "2.0", "2.0", "3"],
        invoice_id=["103"] * 3 + ["104"],
        invoice_date=["2025-01-04 10:00:00"] * 4,
        product_id=["B"] * 4,
        quantity=[3] * 4,
        unit_price=[2.0] * 4,
    )
    flagged = flag_every_rule(_standard(raw), CleaningRules())

    reasons = flagged.to_pandas().fillna({"drop_reason": "kept"})
    report = _summarise(flagged, select_clean_transactions(flagged))

    assert sorted(reasons["drop_reason"]) == sorted(
        ["kept"] * 2 + ["duplicate_line"] * 2
    )
    assert report["rows_dropped"] == {"duplicate_line": 2}
    assert report["tables"]["transactions"]["ids_normalised"] == 2


def test_flag_transactions_respects_switched_off_rules():
    rules = CleaningRules(cancellation_prefix=None, drop_non_positive_quantity=False)

    flagged = flag_every_rule(_standard(_raw_lines()), rules).to_pandas()

    dropped = flagged.set_index("invoice_id")["drop_reason"].dropna()
    assert dropped.to_dict() == {"102": "missing_customer_id"}


def test_select_clean_and_returned_transactions_split_flagged_lines():
    flagged = flag_every_rule(_standard(_raw_lines()), CleaningRules())

    clean = select_clean_transactions(flagged).to_pandas()
    returned = select_returned_transactions(flagged).to_pandas()

    assert sorted(clean["invoice_id"]) == ["100", "103"]
    assert returned["invoice_id"].tolist() == ["C101"]
    assert "drop_reason" not in clean.columns


def test_summarise_data_quality_accounts_for_every_row():
    flagged = flag_every_rule(_standard(_raw_lines()), CleaningRules())

    report = _summarise(flagged, select_clean_transactions(flagged))

    assert report["rows_in"] == 4
    assert report["rows_dropped"] == {"cancellation": 1, "missing_customer_id": 1}
    assert report["rows_out"] == 2
    assert report["customers_out"] == 2


def test_summarise_data_quality_counts_invoices_and_customers_of_clean_lines():
    # Invoice 100 has two lines of customer 1 and one of customer 2 (a shared
    # invoice): three clean invoices, two customers, five clean lines.
    lines = _raw_lines(
        customer_id=[1.0, 1.0, 2.0, 2.0, 1.0],
        invoice_id=["100", "100", "100", "103", "104"],
        invoice_date=["2025-01-01 10:00:00"] * 5,
        product_id=["A", "B", "A", "B", "C"],
        quantity=[2, 1, 1, 3, 1],
        unit_price=[1.5] * 5,
        country=["UK"] * 5,
    )
    flagged = flag_every_rule(_standard(lines), CleaningRules())

    report = _summarise(flagged, select_clean_transactions(flagged))

    assert report["rows_out"] == 5
    assert report["customers_out"] == 2
    assert report["invoices_out"] == 3
    assert report["purchase"] == "invoice_id"


def test_summarise_data_quality_detects_broken_accounting():
    flagged = flag_every_rule(_standard(_raw_lines()), CleaningRules())
    too_few_clean = select_clean_transactions(flagged).limit(1)

    with pytest.raises(ValueError, match="accounting broken: rows_in=4"):
        _summarise(flagged, too_few_clean)


def test_summarise_data_quality_gives_plain_integers():
    # The report is written as JSON: counts must be plain ints.
    flagged = flag_every_rule(_standard(_raw_lines()), CleaningRules())
    report = _summarise(flagged, select_clean_transactions(flagged))

    assert all(type(value) is int for value in report["rows_dropped"].values())


def test_summarise_data_quality_has_a_section_per_table():
    flagged = flag_every_rule(_standard(_raw_lines()), CleaningRules())

    report = _summarise(flagged, select_clean_transactions(flagged))

    assert report["tables"]["customers"]["rows_in"] == 2
    assert report["tables"]["customers"]["rows_out"] == 2
    assert report["tables"]["customers"]["customers_without_clean_purchase"] == 0
    assert report["tables"]["transactions"]["rows_dropped"] == report["rows_dropped"]


def test_summarise_data_quality_counts_attribute_rows_without_clean_purchase():
    # Customers 1 and 2 have clean lines; 3 and 4 only attributes. The line
    # without a customer is no customer of the clean lines.
    rules = CleaningRules(drop_missing_customer_id=False)
    flagged = flag_every_rule(_standard(_raw_lines()), rules)
    attributes = pd.DataFrame({"customer_id": [1, 2, 3, 4], "age": [30.0] * 4})
    flagged_customers = flag_customers(
        standardise_customers(attributes, CustomersSchema(numeric=["age"]), "both"),
        CustomerCleaningRules(),
    )

    report = summarise_data_quality(
        flagged,
        select_clean_transactions(flagged),
        flagged_customers,
        select_clean_customers(flagged_customers),
        "both",
    )

    assert report["rows_out"] == 3
    assert report["customers_out"] == 2
    assert report["tables"]["customers"]["customers_without_clean_purchase"] == 2


def test_standardise_transactions_reads_nothing_for_attribute_only_input():
    result = standardise_transactions(None, TransactionsSchema(), "attributes")

    assert result.count().execute() == 0
    assert list(result.columns) == list(_standard(_raw_lines()).columns)


def test_standardise_transactions_needs_an_input_the_kind_requires():
    with pytest.raises(InputValidationError, match=r"raw_transactions.*input present"):
        standardise_transactions(None, TransactionsSchema(), "transactions")


def test_standardise_transactions_accepts_partial_mapping_without_country():
    raw = _raw_lines().drop(columns="country").rename(columns={"quantity": "Qty"})
    schema = TransactionsSchema(columns={"quantity": "Qty"})

    result = standardise_transactions(ibis.memtable(raw), schema, "both").to_pandas()

    assert result["quantity"].tolist() == [2.0, -2.0, 1.0, 3.0]


def test_standardise_transactions_parses_configured_date_format():
    raw = _raw_lines(invoice_date=["01/02/2025 10:00"] * 4)
    schema = TransactionsSchema(date_format="%d/%m/%Y %H:%M")

    result = standardise_transactions(ibis.memtable(raw), schema, "both").to_pandas()

    assert result["invoice_date"].iloc[0] == pd.Timestamp("2025-02-01 10:00")


def test_standardise_customers_renames_mapped_attributes_from_pandas():
    raw = pd.DataFrame({"ID": ["0001", "0002"], "Annual Income (k$)": [15, 16]})
    schema = CustomersSchema(customer_id="ID", numeric={"income": "Annual Income (k$)"})

    result = standardise_customers(raw, schema, "attributes").to_pandas()

    assert list(result.columns)[:2] == ["customer_id", "income"]
    assert result["customer_id"].tolist() == ["0001", "0002"]


def test_standardise_customers_numbers_rows_without_id_column():
    raw = pd.DataFrame({"spend": [5, 6, 7]})
    schema = CustomersSchema(customer_id=None, numeric=["spend"])

    result = standardise_customers(raw, schema, "attributes").to_pandas()

    assert result["customer_id"].tolist() == ["0", "1", "2"]


def test_standardise_customers_gives_empty_table_when_absent_and_not_needed():
    schema = CustomersSchema(numeric=["age"])

    result = standardise_customers(None, schema, "transactions")

    assert result.count().execute() == 0
    assert list(result.columns)[:2] == ["customer_id", "age"]


def test_flag_customers_drops_rows_outlying_in_enough_columns():
    customers = standardise_customers(
        pd.DataFrame(
            {
                "customer_id": range(8),
                "x": [10, 11, 12, 13, 14, 15, 16, 1000],
                "y": [10, 11, 12, 13, 14, 15, 1000, 1000],
            }
        ),
        CustomersSchema(numeric=["x", "y"]),
        "attributes",
    )
    rules = CustomerCleaningRules(
        outliers=OutlierRule(columns=["x", "y"], min_outlying_columns=2)
    )

    flagged = flag_customers(customers, rules).to_pandas()

    dropped = flagged.dropna(subset=["drop_reason"])
    assert dropped["customer_id"].tolist() == ["7"]
    assert (
        select_clean_customers(flag_customers(customers, rules)).count().execute() == 7
    )


def test_flag_customers_to_score_applies_the_bounds_but_not_the_outlier_rule():
    # Scored rows are measured by the fitted model, whatever else is in the
    # batch: the fences of this batch would drop customer 7, a bound drops 6.
    customers = standardise_customers(
        pd.DataFrame(
            {
                "customer_id": range(8),
                "x": [10, 11, 12, 13, 14, 15, 16, 1000],
                "y": [10, 11, 12, 13, 14, 15, -1, 1000],
            }
        ),
        CustomersSchema(numeric=["x", "y"]),
        "attributes",
    )
    rules = CustomerCleaningRules(
        bounds={"y": Bounds(min=0)},
        outliers=OutlierRule(columns=["x", "y"], min_outlying_columns=2),
    )

    fitted = flag_customers(customers, rules).to_pandas()
    scored = flag_customers_to_score(customers, rules).to_pandas()

    reasons = fitted.set_index("customer_id")["drop_reason"].dropna().to_dict()
    assert reasons == {"6": "implausible_y", "7": "outlier"}
    reasons = scored.set_index("customer_id")["drop_reason"].dropna().to_dict()
    assert reasons == {"6": "implausible_y"}


def test_flag_customers_keeps_everyone_without_rules():
    flagged = flag_customers(_customers_table(), CustomerCleaningRules()).to_pandas()

    assert flagged["drop_reason"].isna().all()


def test_flag_transactions_drops_future_dated_lines():
    rules = CleaningRules(latest_valid_date="2025-01-03")

    flagged = flag_every_rule(_standard(_raw_lines()), rules).to_pandas()

    reasons = flagged.set_index("invoice_id")["drop_reason"].dropna().to_dict()
    assert reasons == {
        "C101": "cancellation",
        "102": "missing_customer_id",
        "103": "future_dated",
    }


def test_standardise_transactions_drops_zero_decimals_without_backreferences():
    # Spark's Java regex reads "\1" in a replacement literally: the SQL must not use it.
    raw = _raw_lines(
        customer_id=["-17.000", "0042.0", "A.0", "7"],
        invoice_id=["100", "101.00", "102", "103"],
    )

    result = standardise_transactions(raw, TransactionsSchema(), "transactions")

    assert "\\1" not in str(ibis.to_sql(result))
    frame = result.to_pandas()
    assert frame["customer_id"].tolist() == ["-17", "0042", "A.0", "7"]
    assert frame["invoice_id"].tolist() == ["100", "101", "102", "103"]
    assert frame["id_normalised"].tolist() == [True, True, False, False]
