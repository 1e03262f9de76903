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
from kedro_datasets.ibis import FileDataset
from kedro_datasets.pandas import CSVDataset

from customer_segmentation.pipelines.data_processing.nodes import (
    InputValidationError,
    TransactionsSchema,
)
from tests.bad_input import assert_counted, standardise, transaction_report
from tests.project import close_ibis_connections

# DuckDB sniffs column types on the first 20,480 rows; the bad values come after.
N_ROWS = 25_000


# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")
CONNECTIONS = {
    "duckdb": {"backend": "duckdb", "database": ":memory:"},
    "pyspark": {"backend": "pyspark"},  # the test session's Spark
}
# Every CSV column as text, as the catalog reads raw CSV (conf/base/catalog.yml).
TEXT_CSV = {"duckdb": {"all_varchar": True}, "pyspark": {"inferSchema": False}}


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
