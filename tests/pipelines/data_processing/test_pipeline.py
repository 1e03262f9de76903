"""Slice test: the data processing pipeline on the built-in sample, through the catalog."""

import json

import duckdb

from tests.project import run_project


def test_data_processing_pipeline_writes_clean_tables_and_accounts_for_rows(
    project_copy,
):
    run_project(project_copy, ["data_processing"])

    report = json.loads(
        (project_copy / "data/08_reporting/data_quality.json").read_text()
    )
    with duckdb.connect(
        "data/02_intermediate/segmentation.duckdb", read_only=True
    ) as db:
        raw_rows = db.execute(
            "select count(*) from 'data/01_raw/transactions.parquet'"
        ).fetchone()[0]
        clean_rows = db.execute("select count(*) from clean_transactions").fetchone()[0]
        customers = db.execute("select count(*) from validated_customers").fetchone()[0]
        guests = db.execute(
            "select count(*) from clean_transactions where customer_id is null"
        )
        assert guests.fetchone()[0] == 0
        # The flagged lines are a view of the keyed and the repeated lines.
        kinds = dict(
            db.execute(
                "select table_name, table_type from information_schema.tables"
            ).fetchall()
        )
        copies = db.execute(
            "select count(*) from flagged_transactions "
            "where drop_reason = 'duplicate_line'"
        ).fetchone()[0]
    assert kinds["flagged_transactions"] == "VIEW"
    assert kinds["keyed_transactions"] == kinds["repeated_transactions"] == "BASE TABLE"
    assert copies == report["rows_dropped"]["duplicate_line"] > 0
    assert report["rows_in"] == raw_rows
    assert report["rows_out"] == clean_rows
    assert report["rows_in"] == report["rows_out"] + sum(
        report["rows_dropped"].values()
    )
    assert set(report["rows_dropped"]) == {
        "missing_customer_id",
        "cancellation",
        "non_positive_quantity",
        "non_positive_price",
        "duplicate_line",
    }
    assert customers == 5_000
    assert report["input_kind"] == "both"
    assert report["tables"]["customers"] == {
        "rows_in": 5_000,
        "rows_dropped": {},
        "rows_out": 5_000,
        "examples": {},
        "ids_normalised": 0,
        "dropped_customer_ids": {},
        "customers_without_clean_purchase": 0,
        "purchasing_customers_without_attributes": 0,
    }
