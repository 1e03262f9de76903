"""The bad-input matrix, counted part: values we cannot use are dropped under a named rule.

Each case builds a tiny export with one bad line (or attribute row) and asserts the
rule that dropped it, how many rows, the example values the report shows, and that
rows in = rows dropped + rows out.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    TransactionsSchema,
)
from customer_segmentation.pipelines.data_processing.settings import (
    Bounds,
    ReadingChecks,
)
from tests.bad_input import (
    assert_counted,
    attribute_report,
    attributes,
    invoices,
    lines,
    sign_ups,
    standardise,
    transaction_report,
)

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")


def _lines_report(rules: CleaningRules | None = None, **overrides: list) -> dict:
    return transaction_report(standardise(lines(**overrides)), rules)


def _nan_price_report() -> dict:
    # Parquet and Arrow keep NaN apart from null; both mean "no price".
    table = pa.Table.from_pandas(lines(), preserve_index=False)
    prices = pa.array([float("nan"), 2.0], pa.float64(), from_pandas=False)
    table = table.set_column(
        table.column_names.index("unit_price"), "unit_price", prices
    )
    return transaction_report(standardise(ibis.memtable(table)))


def _ages_report(ages: list) -> dict:
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": ages})
    rules = CustomerCleaningRules(bounds={"age": Bounds(min=0, max=120)})
    return attribute_report(attributes(frame, numeric=["age"]), rules)


COUNTED_CASES: dict[str, tuple[Callable[[], dict], str, int, list[str]]] = {
    "guest id written NA": (
        lambda: _lines_report(customer_id=["NA", "2"]),
        "missing_customer_id",
        1,
        None,
    ),
    "guest id written as spaces": (
        lambda: _lines_report(customer_id=["  ", "2"]),
        "missing_customer_id",
        1,
        None,
    ),
    "NaN unit price": (_nan_price_report, "missing_unit_price", 1, None),
    "unit price n/a": (
        lambda: _lines_report(unit_price=["n/a", "2.0"]),
        "missing_unit_price",
        1,
        None,
    ),
    "padded unit price token next to a padded number": (
        lambda: _lines_report(unit_price=["  n/a ", " 2.0 "]),
        "missing_unit_price",
        1,
        None,
    ),
    "unit price token padded with a vertical tab and a form feed": (
        # Trimmed like a space on every engine, as strip() trims them.
        lambda: _lines_report(unit_price=["\x0bn/a\x0b", "\x0c2.0"]),
        "missing_unit_price",
        1,
        None,
    ),
    "unit price not a number": (
        lambda: _lines_report(unit_price=["abc", "2.0"]),
        "unparseable_unit_price",
        1,
        ["abc"],
    ),
    "quantity a dash": (
        lambda: _lines_report(quantity=["-", "1"]),
        "missing_quantity",
        1,
        None,
    ),
    "quantity in words": (
        lambda: _lines_report(quantity=["2", "two"]),
        "unparseable_quantity",
        1,
        ["two"],
    ),
    "missing invoice date": (
        lambda: _lines_report(invoice_date=[None, "2025-01-02"]),
        "missing_invoice_date",
        1,
        None,
    ),
    "invoice date not a date": (
        lambda: _lines_report(invoice_date=["2025-01-01", "31/31/2025"]),
        "unparseable_invoice_date",
        1,
        ["31/31/2025"],
    ),
    # Text the engines' own casts read differently is unparseable on both.
    "invoice date a year alone (Spark's cast reads it as 1 January)": (
        lambda: _lines_report(invoice_date=["2025-01-01", "2025"]),
        "unparseable_invoice_date",
        1,
        ["2025"],
    ),
    "invoice date with slashes and no date_format (DuckDB's cast reads it)": (
        lambda: _lines_report(invoice_date=["2025-01-01", "2025/01/02"]),
        "unparseable_invoice_date",
        1,
        ["2025/01/02"],
    ),
    "quantity with a type suffix (Spark's cast reads 2d as 2)": (
        lambda: _lines_report(quantity=["2d", "1"]),
        "unparseable_quantity",
        1,
        ["2d"],
    ),
    "unit price with digit separators (DuckDB's cast reads 1_000)": (
        lambda: _lines_report(unit_price=["1_000", "2.0"]),
        "unparseable_unit_price",
        1,
        ["1_000"],
    ),
    "invoice date 9999-12-31": (
        lambda: _lines_report(invoice_date=["2025-01-01", "9999-12-31"]),
        "out_of_range_invoice_date",
        1,
        ["9999-12-31 00:00:00"],
    ),
    "invoice date before 1900": (
        lambda: _lines_report(invoice_date=["2025-01-01", "1899-12-31"]),
        "past_dated",
        1,
        ["1899-12-31 00:00:00"],
    ),
    "invoice date after the export": (
        lambda: _lines_report(
            CleaningRules(latest_valid_date="2025-01-01 12:00"),
            invoice_date=["2025-01-01", "2025-01-02"],
        ),
        "future_dated",
        1,
        ["2025-01-02 00:00:00"],
    ),
    "invoice date a typo far in the future (default: after the run's date)": (
        lambda: _lines_report(invoice_date=["2025-01-01", "2205-01-02"]),
        "future_dated",
        1,
        ["2205-01-02 00:00:00"],
    ),
    "missing invoice id": (
        lambda: _lines_report(invoice_id=["null", "101"]),
        "missing_invoice_id",
        1,
        None,
    ),
    "quantity 1e15": (
        lambda: _lines_report(quantity=[1e15, 1.0]),
        "quantity_above_max",
        1,
        None,
    ),
    "line value above the maximum": (
        lambda: _lines_report(quantity=[1000.0, 1.0], unit_price=[1e6, 2.0]),
        "line_value_above_max",
        1,
        None,
    ),
    "31 February with a date format": (
        lambda: transaction_report(
            standardise(
                lines(invoice_date=["28/02/2025", "31/02/2025"]),
                TransactionsSchema(date_format="%d/%m/%Y"),
            )
        ),
        "unparseable_invoice_date",
        1,
        ["31/02/2025"],
    ),
    "age -40": (lambda: _ages_report([30, -40, 50]), "implausible_age", 1, ["-40.0"]),
    "age 1e300": (lambda: _ages_report([30, 1e300, 50]), "implausible_age", 1, None),
    "age in words": (
        lambda: _ages_report(["30", "forty", "50"]),
        "unparseable_age",
        1,
        ["forty"],
    ),
    "sign-up date 1900-01-01 below its date bounds": (
        lambda: attribute_report(
            sign_ups(1200, placeholders=1),
            CustomerCleaningRules(bounds={"signup_date": Bounds(min="2000-01-01")}),
        ),
        "implausible_signup_date",
        1,
        ["1900-01-01 00:00:00"],
    ),
    "attribute id written N/A": (
        lambda: attribute_report(
            attributes(
                pd.DataFrame({"customer_id": ["N/A", "b"], "age": [1, 2]}),
                numeric=["age"],
            )
        ),
        "missing_customer_id",
        1,
        None,
    ),
}


@pytest.mark.parametrize("case", list(COUNTED_CASES))
def test_bad_value_is_counted_under_its_rule(case):
    make, rule, count, examples = COUNTED_CASES[case]

    report = make()

    assert_counted(report, rule, count, examples)
    assert report["rows_out"] >= 1


def test_line_totals_keep_lines_without_quantity():
    frame = lines(quantity=[None, "1"]).rename(columns={"unit_price": "amount"})
    schema = TransactionsSchema(
        columns={"customer_id": "customer_id", "line_total": "amount"}
    )

    report = transaction_report(standardise(frame, schema))

    assert report["rows_dropped"] == {}
    assert report["rows_out"] == 2


def test_a_line_breaking_several_rules_is_counted_once_under_the_first():
    report = _lines_report(customer_id=["NA", "2"], quantity=["two", "1"])

    assert report["rows_dropped"] == {"missing_customer_id": 1}
    assert report["rows_out"] == 1


def test_same_customer_written_in_nfc_nfd_and_with_invisible_characters_is_one():
    ids = ["Jos\u00e9", "Jose\u0301", "Jos\u00e9\u200b", " Jos\u00e9\t"]
    frame = invoices(4, customer_id=ids)

    report = transaction_report(standardise(frame))

    assert report["customers_out"] == 1
    assert report["tables"]["transactions"]["ids_normalised"] == 3


def test_integral_float_ids_lose_their_decimal_part_without_counting_as_changed():
    report = transaction_report(standardise(lines(customer_id=[12345.0, 12346.0])))
    clean = standardise(lines(customer_id=[12345.0, "12346.0"])).to_pandas()

    assert report["tables"]["transactions"]["ids_normalised"] == 0
    assert clean["customer_id"].tolist() == ["12345", "12346"]


def test_padded_text_loses_its_whitespace_and_nothing_else_on_every_engine():
    # Spark SQL reads the escapes \v and \f as the letters v and f: a trim written
    # with them turned " Kiev" into "Kie" there.
    countries = [" Kiev", "leaf\t", "\x0bfive\x0c", "Vaduz"]
    prices = [" 1.5\x0b", "\x0c2.0"]
    frame = invoices(4, unit_price=[*prices, "1.0", "1.0"], country=countries)

    clean = standardise(frame).to_pandas().sort_values("customer_id")

    assert clean["country"].tolist() == ["Kiev", "leaf", "five", "Vaduz"]
    assert clean["unit_price"].tolist() == [1.5, 2.0, 1.0, 1.0]


def test_a_utc_offset_is_converted_to_utc_on_every_engine():
    # DuckDB's cast ignored the offset; Spark's converted it to its session's zone.
    dates = [
        "2025-01-01 10:00:00+01:00",
        "2025-01-01T10:00:00-05:30",
        "2025-01-01 10:00:00 +0200",
        "2025-01-01T10:00:00Z",
        "2025-01-01 10:00:00 UTC",
        "2025-01-01 10:00:00",
        "2025-01-01T9:05:03+01:00",
    ]
    frame = invoices(len(dates), invoice_date=dates)

    clean = standardise(frame).to_pandas().sort_values("customer_id")

    assert clean["invoice_date"].dt.strftime("%H:%M").tolist() == [
        "09:00",
        "15:30",
        "08:00",
        "10:00",
        "10:00",
        "10:00",
        "08:05",
    ]


def test_a_few_unparseable_values_of_a_large_table_are_counted_not_refused():
    # 40 of 1,000 prices (4%) is under reading_checks.max_unparseable_share (5%):
    # bad values, not a wrong format.
    prices = ["abc" if i % 25 == 0 else "1.5" for i in range(1000)]

    report = transaction_report(standardise(invoices(1000, unit_price=prices)))

    assert_counted(report, "unparseable_unit_price", 40, ["abc"])


def test_an_invoice_across_midnight_or_shared_by_customers_is_one_purchase_each():
    # Within reading_checks.max_invoice_span_days (1 day): not a reused id.
    frame = invoices(
        3,
        customer_id=["1", "1", "2"],
        invoice_id=["100", "100", "100"],
        invoice_date=["2025-01-01 23:58:00", "2025-01-02 00:03:00", "2025-01-01 12:00"],
    )

    report = transaction_report(standardise(frame))

    assert report["rows_out"] == 3
    assert report["invoices_out"] == 1


@pytest.mark.parametrize(
    ("n_lines", "other_date"),
    [(1000, "2025-09-30"), (999, "2020-01-01")],
    ids=["a season's 272-day gap", "a small table's five years"],
)
def test_a_gap_in_the_dates_within_the_rule_is_not_refused(n_lines, other_date):
    # reading_checks.max_date_gap_days (365) and min_rows (1,000 clean lines).
    dates = ["2025-01-01"] * (n_lines - 1) + [other_date]

    report = transaction_report(standardise(invoices(n_lines, invoice_date=dates)))

    assert report["rows_out"] == n_lines


@pytest.mark.parametrize(
    ("customers", "placeholders", "checks"),
    [(1200, 0, {}), (999, 5, {}), (1200, 5, {"max_attribute_date_gap_days": None})],
    ids=["sign-ups without a gap", "a small table's placeholders", "the rule off"],
)
def test_a_date_attribute_the_gap_rule_does_not_refuse(customers, placeholders, checks):
    # reading_checks.max_attribute_date_gap_days (3,650) and min_rows (1,000 values).
    report = attribute_report(
        sign_ups(customers, placeholders), checks=ReadingChecks(**checks)
    )

    assert report["rows_out"] == customers


def test_birth_dates_nine_years_apart_are_not_refused():
    # The oldest customers' birth dates lie years apart: within the 10-year limit.
    days = pd.date_range("1950-01-01", periods=1200, freq="7D").strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "customer_id": [str(i) for i in range(1201)],
            "birth_date": ["1941-03-01", *days],
        }
    )

    report = attribute_report(attributes(frame, dates=["birth_date"]))

    assert report["rows_out"] == 1201  # noqa: PLR2004


def test_an_invoice_of_guests_only_or_the_rule_off_counts_its_lines_as_guests():
    # reading_checks.customer_on_every_line: a guest invoice (no line names a
    # customer) is counted; with the rule off, so is a flattened order's.
    guest = lines(customer_id=["NA", "2"], invoice_id=["100", "101"])
    flattened = lines(customer_id=["1", None], invoice_id=["100", "100"])
    off = ReadingChecks(customer_on_every_line=False)

    assert_counted(transaction_report(standardise(guest)), "missing_customer_id", 1)
    report = transaction_report(standardise(flattened), checks=off)
    assert_counted(report, "missing_customer_id", 1)


def test_a_few_undated_lines_or_the_rule_off_are_counted_not_refused():
    # reading_checks.max_undated_share: up to 5% of the lines may lack a date.
    dates = ["2025-01-01"] * 1000
    few = invoices(1000, invoice_date=[None] * 50 + dates[50:])  # 5.0%
    many = invoices(1000, invoice_date=[None] * 500 + dates[500:])
    off = ReadingChecks(max_undated_share=None)

    assert_counted(transaction_report(standardise(few)), "missing_invoice_date", 50)
    report = transaction_report(standardise(many), checks=off)
    assert_counted(report, "missing_invoice_date", 500)
