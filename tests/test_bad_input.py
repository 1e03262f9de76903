"""The bad-input matrix, error part: what makes an input unusable gets a named error.

Each error case asserts the exact error type and that the message names the dataset
or column, the rule broken, the count and examples. Values that only make one row
unusable are counted instead: ``tests/test_bad_input_counted.py``; exports read
through real datasets: ``tests/test_bad_input_files.py``.
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
    CustomerCleaningRules,
    CustomersSchema,
    InputValidationError,
    OutlierRule,
    TransactionsSchema,
    flag_customers,
    standardise_customers,
    standardise_transactions,
)
from customer_segmentation.pipelines.data_processing.settings import Bounds
from customer_segmentation.pipelines.feature_engineering.derived import (
    add_derived_features,
)
from customer_segmentation.pipelines.feature_engineering.nodes import (
    resolve_reference_date,
    select_model_input,
)
from customer_segmentation.pipelines.feature_engineering.settings import (
    DerivedFeature,
    DerivedFeatures,
    FeatureSettings,
    ModelInputChecks,
)
from customer_segmentation.pipelines.modeling.nodes import prepare_model_matrix
from customer_segmentation.pipelines.modeling.settings import (
    ModelFeatures,
    PreprocessingSettings,
)
from tests.bad_input import attribute_report, both_report, invoices, sign_ups
from tests.bad_input import attributes as _attributes
from tests.bad_input import lines as _lines
from tests.bad_input import standardise as _standard
from tests.bad_input import transaction_report as _report

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")


def _standardise(frame: pd.DataFrame) -> ibis.Table:
    return _standard(ibis.memtable(frame))


def _features(**columns: list) -> ibis.Table:
    return ibis.memtable(pd.DataFrame({"customer_id": ["a", "b"], **columns}))


def _years_since(
    features: ibis.Table, name: str, column: str, reference_date: pd.Timestamp
) -> ibis.Table:
    """``features`` with ``name``, the whole years since ``column``."""
    derived = DerivedFeatures(columns={name: DerivedFeature(years_since=column)})
    return add_derived_features(features, derived, reference_date)


def _model_input(features: dict[str, list], numeric: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"customer_id": [str(i) for i in range(3)], **features})
    chosen = ModelFeatures(numeric=numeric, order_segments_by=numeric[0])
    return select_model_input(frame, chosen, ModelInputChecks())


# 1,000 invoices in January 2025, written day first ("16/01/2025"): read with a
# month-first date_format, the days after the 12th do not parse, and the others
# would be misread (05/01 as 1 May).
_DAYS = [day % 28 + 1 for day in range(1000)]
_DAY_FIRST = [f"{day:02d}/01/2025" for day in _DAYS]


def _day_first_read_month_first() -> dict:
    schema = TransactionsSchema(date_format="%m/%d/%Y")
    return _report(_standard(invoices(1000, invoice_date=_DAY_FIRST), schema))


def _flattened_orders(n: int, items: int) -> pd.DataFrame:
    """n orders of ``items`` lines whose customer, id and date are on the first only."""
    frame = invoices(n * items, product_id=[f"A{i % items}" for i in range(n * items)])
    first = frame.index % items == 0
    order = frame.index // items
    return frame.assign(
        customer_id=order.astype(str).where(first, None),
        invoice_id=order.astype(str).where(first, None),
        invoice_date=frame["invoice_date"].where(first, None),
    )


def _decimal_comma_prices() -> dict:
    prices = ["2" if i % 5 == 0 else f"{i % 9},{i % 7}5" for i in range(1000)]
    return _report(_standard(invoices(1000, unit_price=prices)))


# 1,000 invoices on the first 28 days of a month, 10 of them dated otherwise.
_PLACEHOLDER_DATED = [
    "1970-01-01" if i % 100 == 0 else f"2025-01-{day:02d}"
    for i, day in enumerate(_DAYS)
]
_YEAR_TYPED_WRONG = [
    "2022-01-01" if i % 100 == 0 else f"2012-01-{day:02d}"
    for i, day in enumerate(_DAYS)
]


_ATTRIBUTES = pd.DataFrame({"id": ["1", "2", "3"], "age": [30, 40, 50]})


def _currency_sign_incomes() -> dict:
    incomes = [f"${i}" if i % 3 else str(i) for i in range(1, 1001)]
    frame = pd.DataFrame(
        {"customer_id": [str(i) for i in range(1000)], "income": incomes}
    )
    return attribute_report(_attributes(frame, numeric=["income"]))


def _placeholder_sign_ups() -> dict:
    return attribute_report(sign_ups(1200, placeholders=10))


ERROR_CASES: dict[str, tuple[Callable[[], object], type[Exception], str]] = {
    "invoice dates day first, read with a month-first date_format": (
        _day_first_read_month_first,
        InputValidationError,
        r"transactions: column 'invoice_date' has 568 of 1000 values \(56\.8%\) that "
        r"do not parse \(rule: unparseable_invoice_date at most 5\.0% of the rows, "
        r"reading_checks\.max_unparseable_share\); examples: \['13/01/2025', "
        r"'14/01/2025', '15/01/2025'\]",
    ),
    "unit prices with a decimal comma": (
        _decimal_comma_prices,
        InputValidationError,
        r"transactions: column 'unit_price' has 800 of 1000 values \(80\.0%\) that do "
        r"not parse \(rule: unparseable_unit_price at most 5\.0%",
    ),
    "incomes with a currency sign": (
        _currency_sign_incomes,
        InputValidationError,
        r"customers: column 'income' has 667 of 1000 values \(66\.7%\) that do not "
        r"parse \(rule: unparseable_income at most 5\.0%.*examples: \['\$1', ",
    ),
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
    "an invoice id used again on another day": (
        # Receipt numbers that restart each day: one customer's two purchases
        # were counted as one (frequency 1, no time between purchases).
        lambda: _report(
            _standardise(
                _lines(
                    customer_id=[1.0, 1.0],
                    invoice_id=["100", "100"],
                    invoice_date=["2025-01-01 10:00:00", "2025-03-01 10:00:00"],
                )
            )
        ),
        InputValidationError,
        r"transactions: column 'invoice_id' has 1 id\(s\) whose clean lines lie "
        r"more than 1 day\(s\) apart \(rule: one invoice id is one purchase, "
        r"reading_checks.max_invoice_span_days\); examples: "
        r"\['100 \(2025-01-01 to 2025-03-01\)'\];.*map "
        r"transactions_schema.columns.invoice_id to null",
    ),
    "lines dated by a placeholder, decades before the rest": (
        # A system's zero date (1970-01-01) on 1% of the lines: the run went on,
        # with customers 55 years old and a data period from 1970.
        lambda: _report(_standardise(invoices(1000, invoice_date=_PLACEHOLDER_DATED))),
        InputValidationError,
        r"transactions: column 'invoice_date' has no clean line for 20,089 days, "
        r"from 1970-01-01 to 2025-01-01 \(rule: no gap longer than 365 days between "
        r"two days with clean lines, reading_checks.max_date_gap_days\); 10 of 1000 "
        r"clean lines lie before it, e.g. \['invoice 0 of customer 0 on 1970-01-01', "
        r"'invoice 100 of customer 100 on 1970-01-01', 'invoice 200 of customer 200 "
        r"on 1970-01-01'\];.*set cleaning_rules.earliest_valid_date to 2025-01-01",
    ),
    "lines whose year was typed wrong, years after the rest": (
        lambda: _report(_standardise(invoices(1000, invoice_date=_YEAR_TYPED_WRONG))),
        InputValidationError,
        r"no clean line for 3,626 days, from 2012-01-28 to 2022-01-01.*10 of 1000 "
        r"clean lines lie after it, e.g. \['invoice 0 of customer 0 on 2022-01-01', "
        r".*set cleaning_rules.latest_valid_date to 2012-01-29",
    ),
    "attribute ids written differently from the lines' ids": (
        # Leading zeros in one export only: four of five customers of the lines
        # matched no attribute row, and the run went on without their attributes.
        lambda: both_report(
            invoices(5, customer_id=["12000", "12001", "12002", "12003", "12004"]),
            pd.DataFrame(
                {
                    "customer_id": ["12000", "012001", "012002", "012003", "012004"],
                    "age": ["30", "31", "32", "33", "34"],
                }
            ),
            numeric=["age"],
        ),
        InputValidationError,
        r"customers: 1 of 5 customers with clean purchases \(20.0%\) have an "
        r"attribute row \(rule: at least 50%, reading_checks.min_attribute_match\); "
        r"ids on one side only, e.g. transactions: \['12001', '12002', '12003'\], "
        r"attributes: \['012001', '012002', '012003'\]",
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
        r"column 'frequency' has the single value 1 .*\(rule: feature varies\); "
        r"every customer has exactly one purchase, as when the customer ids are "
        r"written per order .*check the ids first; drop it from model_features only",
    ),
    "negative value of a log-transformed feature": (
        lambda: prepare_model_matrix(
            pd.DataFrame({"customer_id": ["a", "b", "c"], "income": [9e4, -5e3, 4e4]}),
            ModelFeatures(numeric=["income"], order_segments_by="income"),
            PreprocessingSettings(log_transform=["income"]),
        ),
        InputValidationError,
        r"model_input: column 'income' has 1 value\(s\) below 0 \(rule: "
        r"model_preprocessing.log_transform features are >= 0\); examples: "
        r"\[-5000.0\]; to drop and count such customers, set "
        r"customer_cleaning_rules.bounds.income.min: 0",
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
    "fractional numeric customer id": (
        lambda: _standardise(_lines(customer_id=[12223.4, 12223.0])),
        InputValidationError,
        r"raw_transactions: column 'customer_id' has 1 value\(s\) that break the "
        r"rule: ids are whole numbers.*examples: \['12223.4'\]",
    ),
    "fractional customer id as text": (
        lambda: _standardise(_lines(customer_id=["12223.4", "12223"])),
        InputValidationError,
        r"column 'customer_id' has 1 value\(s\).*ids are whole numbers.*'12223.4'",
    ),
    "float id too large to be exact": (
        lambda: _standardise(_lines(customer_id=[1e20, 2.0])),
        InputValidationError,
        r"column 'customer_id' has 1 value\(s\) that break the rule: numeric ids "
        r"below 2\*\*53.*examples: \['1e\+20'\]",
    ),
    "fractional attribute id": (
        lambda: _attributes(
            pd.DataFrame({"customer_id": [1.5, 2.0], "age": [30, 40]}),
            numeric=["age"],
        ),
        InputValidationError,
        r"raw_customers: column 'customer_id' has 1 value\(s\).*ids are whole "
        r"numbers.*\['1.5'\]",
    ),
    "reference date before the last clean line": (
        lambda: resolve_reference_date(
            _standardise(_lines()),
            FeatureSettings(reference_date="2024-06-30"),
            "transactions",
        ),
        InputValidationError,
        r"clean_transactions: column 'invoice_date' has its last clean line at "
        r"2025-01-02 10:00:00, after feature_settings.reference_date 2024-06-30 "
        r"00:00:00 \(rule: reference date not before the data\)",
    ),
    "derived feature on an unknown column": (
        lambda: add_derived_features(
            _features(spend_a=[1.0, 2.0]),
            DerivedFeatures(
                columns={"total": DerivedFeature(sum=["spend_a", "spend_z"])}
            ),
            pd.NaT,
        ),
        InputValidationError,
        r"customer_features: derived feature 'total' refers to column\(s\) "
        r"\['spend_z'\] \(rule: known columns\); available: \['customer_id', "
        r"'spend_a'\]",
    ),
    "derived feature over text": (
        lambda: add_derived_features(
            _features(spend=[1.0, 2.0], tier=["a", "b"]),
            DerivedFeatures(columns={"x": DerivedFeature(ratio=["spend", "tier"])}),
            pd.NaT,
        ),
        InputValidationError,
        r"derived feature 'x' refers to non-numeric column\(s\) \['tier'\] "
        r"\(rule: numeric columns\)",
    ),
    "derived age without a reference date": (
        lambda: _years_since(_features(birth=[1980, 1990]), "age", "birth", pd.NaT),
        InputValidationError,
        r"derived feature 'age' \(years_since\) needs a reference date \(rule: "
        r"reference date set\)",
    ),
    "derived tenure from a sign-up date after the reference date": (
        lambda: _years_since(
            _features(signup=pd.to_datetime(["2024-03-01", "2031-05-01"]).tolist()),
            "tenure",
            "signup",
            pd.Timestamp("2025-12-01"),
        ),
        InputValidationError,
        r"customer_features: column 'signup' has 1 value\(s\) after the reference "
        r"date 2025-12-01, e.g. \['customer b: 2031-05-01'\] \(rule: years_since a "
        r"value not after the reference date\); set feature_settings.reference_date"
        r".*customer_cleaning_rules.bounds.signup.max",
    ),
    "derived age from a birth year after the reference date": (
        lambda: _years_since(
            _features(birth=[1980.0, 2031.0]),
            "age",
            "birth",
            pd.Timestamp("2025-12-01"),
        ),
        InputValidationError,
        r"column 'birth' has 1 value\(s\) after the reference date 2025-12-01, "
        r"e.g. \['customer b: 2031'\]",
    ),
    "birth years with placeholders decades before the rest": (
        lambda: _years_since(
            ibis.memtable(
                pd.DataFrame(
                    {
                        "customer_id": [f"c{i:04d}" for i in range(1203)],
                        "birth": [1900.0, 1899.0, 1893.0]
                        + [1940.0 + i % 60 for i in range(1200)],
                    }
                )
            ),
            "age",
            "birth",
            pd.Timestamp("2014-06-30"),
        ),
        InputValidationError,
        r"customer_features: years since column 'birth' has no customer between 74 "
        r"and 114 years at the reference date \(rule: no gap longer than 10.0 years "
        r"between two values of a years_since feature, reading_checks."
        r"max_attribute_date_gap_days\); 3 of 1203 values lie beyond it, e.g. "
        r"\['customer c0002: 1893', 'customer c0001: 1899', 'customer c0000: "
        r"1900'\]; .*set customer_cleaning_rules.bounds.birth.min: 1940 to drop",
    ),
    "an order's customer on its first line only": (
        lambda: _report(
            _standardise(
                _lines(
                    customer_id=["17850", None, None, "13047"],
                    invoice_id=["500", "500", "500", "501"],
                    invoice_date=["2025-01-01 10:00:00"] * 4,
                    product_id=["A", "B", "C", "A"],
                    quantity=[1.0] * 4,
                    unit_price=[2.0] * 4,
                    country=["UK"] * 4,
                )
            )
        ),
        InputValidationError,
        r"transactions: column 'customer_id' is missing on 2 line\(s\) of 1 "
        r"invoice\(s\) whose other lines name a customer, e.g. \['invoice 500 of "
        r"customer 17850'\] \(rule: an invoice's lines all have a customer id or "
        r"none has, reading_checks.customer_on_every_line\)",
    ),
    "an order's customer, id and date on its first line only": (
        lambda: _report(_standard(_flattened_orders(300, items=4))),
        InputValidationError,
        r"transactions: column 'invoice_date' is missing on 900 of 1200 lines "
        r"\(75.0%\), e.g. \['product A1 \(invoice none, customer none\)', 'product "
        r"A2 \(invoice none, customer none\)', 'product A3 \(invoice none, customer "
        r"none\)'\] \(rule: at most 5.0% of the lines without a date, reading_checks."
        r"max_undated_share\); .*fill the order's fields down to its other lines",
    ),
    "sign-up dates with a placeholder date decades before the rest": (
        _placeholder_sign_ups,
        InputValidationError,
        r"customers: column 'signup_date' has no value for 44,\d+ days, from "
        r"1900-01-01 to 2023-01-02 \(rule: no gap longer than 3650 days between "
        r"two days with a value, reading_checks.max_attribute_date_gap_days\); 10 "
        r"of 1200 values lie before it, e.g. \['customer 0 on 1900-01-01', "
        r"'customer 1080 on 1900-01-01', 'customer 120 on 1900-01-01'\]; .*set "
        r"customer_cleaning_rules.bounds.signup_date.min: 2023-01-02 to drop and "
        r"count them",
    ),
    "date bounds on a numeric attribute": (
        lambda: flag_customers(
            _attributes(
                pd.DataFrame({"customer_id": [1], "age": [3]}), numeric=["age"]
            ),
            CustomerCleaningRules(bounds={"age": Bounds(min="2000-01-01")}),
        ),
        ValueError,
        r"customer_cleaning_rules.bounds: \['age'\] are not attribute columns of "
        r"their bounds' kind \(numbers bound a numeric attribute, dates a date one\)",
    ),
    "bounds of a number and a date": (
        lambda: Bounds(min=0, max="2000-01-01"),
        ValidationError,
        r"bounds: min=0.0 and max=2000-01-01 00:00:00 should both be numbers or "
        r"both be dates",
    ),
    "derived feature with two operations": (
        lambda: DerivedFeature(sum=["a", "b"], ratio=["a", "b"]),
        ValidationError,
        r"derived feature: give exactly one of .*got \['sum', 'ratio'\]",
    ),
    "customer id mapped to the invoice column": (
        # Every invoice became a customer of one purchase, without a word.
        lambda: _standard(
            ibis.memtable(_lines()),
            TransactionsSchema(columns={"customer_id": "invoice_id"}),
        ),
        InputValidationError,
        r"raw_transactions: column 'invoice_id' is read as \['customer_id', "
        r"'invoice_id'\] \(rule: each raw column is one canonical column, "
        r"transactions_schema.columns\)",
    ),
    "customer id listed as a numeric attribute": (
        # The id became a segmentation feature (customers 1..200 spread by id).
        lambda: _attributes(_ATTRIBUTES, customer_id="id", numeric=["id", "age"]),
        InputValidationError,
        r"raw_customers: column 'id' is read as \['customer_id', 'id'\] \(rule: each "
        r"raw column is one canonical column, customers_schema\)",
    ),
    "one column under two attribute names": (
        lambda: _attributes(
            _ATTRIBUTES, customer_id="id", numeric={"age": "age", "years": "age"}
        ),
        InputValidationError,
        r"raw_customers: column 'age' is read as \['age', 'years'\]",
    ),
    "unit price and line total both mapped": (
        lambda: TransactionsSchema(
            columns={"customer_id": "id", "unit_price": "p", "line_total": "t"}
        ),
        ValidationError,
        r"map one of \['unit_price', 'line_total'\], not both",
    ),
    "mapped line total column missing": (
        lambda: _standard(
            _lines().drop(columns="unit_price"),
            TransactionsSchema(
                columns={"customer_id": "customer_id", "line_total": "amount"}
            ),
        ),
        InputValidationError,
        r"raw_transactions: required column\(s\) \['amount'\] missing \(rule: "
        r"required columns present\)",
    ),
    "date format the parser cannot read": (
        lambda: TransactionsSchema(date_format="%d %b %Y"),
        ValidationError,
        r"date_format='%d %b %Y': directive\(s\) \['%b'\] not supported",
    ),
    "input that is not a table": (
        lambda: _standard({"customer_id": [1]}),  # type: ignore[arg-type]
        InputValidationError,
        r"raw_transactions: loaded a dict, not a table \(rule: a table input\)",
    ),
    "plausibility bounds on an unknown attribute": (
        lambda: flag_customers(
            _attributes(
                pd.DataFrame({"customer_id": [1], "age": [3]}), numeric=["age"]
            ),
            CustomerCleaningRules(bounds={"income": Bounds(min=0)}),
        ),
        ValueError,
        r"customer_cleaning_rules.bounds: \['income'\] are not attribute columns "
        r"of their bounds' kind",
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_bad_input_gets_an_error_naming_column_and_rule(case):
    make, error, message = ERROR_CASES[case]

    with pytest.raises(error, match=message):
        make()


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
