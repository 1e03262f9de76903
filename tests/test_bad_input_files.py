"""The bad-input matrix, file part: exports read by real Kedro datasets, by either engine.

Bad values deep in a large CSV, NaN and huge float ids in parquet, and files only
pandas can read (whitespace-aligned, headerless, regex separators) all go through
the same contract: a counted rule or a named error, never a library traceback.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from kedro_datasets.ibis import FileDataset
from kedro_datasets.pandas import CSVDataset

from customer_segmentation.pipelines.data_processing.nodes import (
    InputValidationError,
    TransactionsSchema,
)
from tests.bad_input import (
    assert_counted,
    attributes,
    standardise,
    transaction_report,
)
from tests.project import PROJECT_ROOT, close_ibis_connections

# DuckDB sniffs column types on the first 20,480 rows; the bad values come after.
N_ROWS = 25_000


# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")
CONNECTIONS = {
    "duckdb": {"backend": "duckdb", "database": ":memory:"},
    "pyspark": {"backend": "pyspark"},  # the test session's Spark
}
# How the catalog reads raw CSV on each engine (every column as text, strictly).
TEXT_CSV = {
    engine: settings["text_csv_args"]
    for engine, settings in yaml.safe_load(
        (PROJECT_ROOT / "conf" / "base" / "catalog.yml").read_text()
    )["_engines"].items()
}


def _engine_dataset(path: Path, file_format: str, engine: str) -> FileDataset:
    return FileDataset(
        filepath=str(path),
        file_format=file_format,
        table_name=f"raw_{path.stem}",
        connection=CONNECTIONS[engine],
        load_args=TEXT_CSV[engine] if file_format == "csv" else {},
    )


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    close_ibis_connections()


def test_bad_values_after_the_type_sniffing_sample_are_counted(
    tmp_path: Path, engine: str
):
    frame = pd.DataFrame(
        {
            "customer_id": [str(1000 + i % 300) for i in range(N_ROWS)],
            "invoice_id": [str(i) for i in range(N_ROWS)],
            "invoice_date": ["2025-01-01 10:00:00"] * N_ROWS,
            "product_id": ["A"] * N_ROWS,
            "quantity": ["1"] * N_ROWS,
            "unit_price": ["2.5"] * N_ROWS,
        }
    )
    frame.loc[N_ROWS - 3, "unit_price"] = "n/a"
    frame.loc[N_ROWS - 2, "unit_price"] = "abc"
    frame.loc[N_ROWS - 1, "customer_id"] = "A17"
    path = tmp_path / "lines.csv"
    frame.to_csv(path, index=False)

    raw = _engine_dataset(path, "csv", engine).load()
    report = transaction_report(standardise(raw))

    assert_counted(report, "missing_unit_price", 1)
    assert_counted(report, "unparseable_unit_price", 1, ["abc"])
    assert report["rows_out"] == N_ROWS - 2
    assert report["customers_out"] == 301


def test_nan_float_ids_in_parquet_are_missing_customer_ids(tmp_path: Path, engine: str):
    table = pa.table(
        {
            "customer_id": pa.array(
                [17850.0, float("nan"), 13047.0], from_pandas=False
            ),
            "invoice_id": ["1", "2", "3"],
            "invoice_date": ["2025-01-01"] * 3,
            "product_id": ["A"] * 3,
            "quantity": [1.0, 1.0, 1.0],
            "unit_price": [1.0, 1.0, 1.0],
        }
    )
    path = tmp_path / "lines.parquet"
    pq.write_table(table, path)

    report = transaction_report(
        standardise(_engine_dataset(path, "parquet", engine).load())
    )

    assert_counted(report, "missing_customer_id", 1)
    assert report["customers_out"] == 2


def test_huge_float_id_in_parquet_is_a_named_error(tmp_path: Path, engine: str):
    table = pa.table(
        {
            "customer_id": [1e20, 2.0],
            "invoice_date": ["2025-01-01"] * 2,
            "quantity": [1.0, 1.0],
            "unit_price": [1.0, 1.0],
        }
    )
    path = tmp_path / "lines.parquet"
    pq.write_table(table, path)

    with pytest.raises(
        InputValidationError,
        match=r"column 'customer_id' has 1 value\(s\) that break the rule: numeric "
        r"ids below 2\*\*53",
    ):
        standardise(_engine_dataset(path, "parquet", engine).load())


def test_pandas_dataset_with_a_regex_separator_is_handed_to_the_engine(tmp_path: Path):
    path = tmp_path / "lines.txt"
    path.write_text("id;date|amount\n7;2025-01-01|3.5\n8;2025-01-02|n/a\n")
    raw = CSVDataset(
        filepath=str(path), load_args={"sep": "[;|]", "engine": "python"}
    ).load()
    schema = TransactionsSchema(
        columns={"customer_id": "id", "invoice_date": "date", "line_total": "amount"}
    )

    report = transaction_report(standardise(raw, schema))

    assert_counted(report, "missing_line_total", 1)
    assert report["rows_out"] == 1


def test_headerless_whitespace_file_needs_no_conversion(tmp_path: Path):
    path = tmp_path / "lines.txt"
    path.write_text("  1001  20250103   2   19.90\n  1002  20250104  1    5.00\n")
    raw = CSVDataset(
        filepath=str(path),
        load_args={
            "sep": r"\s+",
            "header": None,
            "names": ["customer", "day", "units", "amount"],
        },
    ).load()
    schema = TransactionsSchema(
        columns={
            "customer_id": "customer",
            "invoice_date": "day",
            "quantity": "units",
            "line_total": "amount",
        },
        date_format="%Y%m%d",
    )

    clean = standardise(raw, schema).to_pandas()

    assert clean["customer_id"].tolist() == ["1001", "1002"]
    assert clean["invoice_date"].tolist() == [
        pd.Timestamp("2025-01-03"),
        pd.Timestamp("2025-01-04"),
    ]
    # The file's line total is the revenue: it is not multiplied by the units.
    assert clean["line_total"].tolist() == [19.9, 5.0]
    assert clean["unit_price"].isna().all()
    assert clean["invoice_id"].isna().all()


def _lines_csv(path: Path, n_rows: int, extra: str) -> Path:
    """n_rows clean lines with ``extra`` among them, after the first half."""
    header = (
        "customer_id,invoice_id,invoice_date,product_id,quantity,unit_price,country"
    )
    rows = [
        f"{1000 + i % 300},{i},2025-01-01 10:00:00,A,1,2.5,UK" for i in range(n_rows)
    ]
    rows.insert(n_rows // 2 + 1, extra)
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize(
    "extra",
    [
        "1001,9001,2025-01-02 10:00:00,A,3,4.5,UK,4.5",  # one field too many
        "1001,9001,2025-01-02 10:00:00,A,3,4.5",  # one too few
    ],
    ids=["too many fields", "too few fields"],
)
def test_a_line_with_another_number_of_fields_is_a_named_error(
    tmp_path: Path, engine: str, extra: str
):
    # Spark in its default mode cut or padded such a line and read the rest:
    # a stray separator moved values into the next column without a word.
    # After DuckDB's type-sniffing sample: the whole file is read as text first.
    path = _lines_csv(tmp_path / "lines.csv", 2 * N_ROWS, extra)
    raw = _engine_dataset(path, "csv", engine).load()

    with pytest.raises(InputValidationError) as raised:
        standardise(raw)

    message = str(raised.value)
    assert message.startswith("raw_transactions: ")
    assert "(rule: one value per column on every line)" in message
    # Spark quotes the line as far as the header's fields go.
    assert "line: '1001,9001,2025-01-02 10:00:00,A,3,4.5" in message
    if engine == "duckdb":
        fields = extra.count(",") + 1
        assert f"line {N_ROWS + 3} has {fields} fields where the header has 7" in (
            message
        )


def test_a_malformed_attribute_line_is_a_named_error(tmp_path: Path, engine: str):
    rows = [f"{i},{20 + i % 50},Female" for i in range(2 * N_ROWS)]
    rows.insert(N_ROWS + 1, "7,31,Male,41")
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(["id,age,gender", *rows]) + "\n")
    raw = _engine_dataset(path, "csv", engine).load()

    with pytest.raises(
        InputValidationError,
        match=r"^raw_customers: .*\(rule: one value per column on every line\); "
        r"line: '7,31,Male",
    ):
        attributes(raw, customer_id="id", numeric={"age": "age"})


def test_a_short_file_whose_separator_is_not_recognised_says_so(
    tmp_path: Path, engine: str
):
    # DuckDB sniffs the separator on the first lines; a malformed line among them
    # and it reads the file as one column. Spark is told the separator.
    path = _lines_csv(tmp_path / "lines.csv", 30, "1001,9001,2025-01-02,A,3,4.5,UK,9")
    raw = _engine_dataset(path, "csv", engine).load()

    expected = {
        "duckdb": r"columns found: \['customer_id,invoice_id,.*'\]; the file was "
        r"read as a single column, so its separator was not recognised",
        "pyspark": r"rule: one value per column on every line",
    }
    with pytest.raises(InputValidationError, match=expected[engine]):
        standardise(raw)
