"""Times the steps that summarise the clean lines, in processor seconds, on flagged tables made once.

Prints numbers; it asserts nothing. The data-quality summary, the reference date,
the customers' orders and the customer features read the 28M flagged lines of the
1M sample, and the value models' purchase aggregate and the report's transaction
summary read the orders; ``benchmark_transaction_steps.py`` times the first four
after flagging the lines again (about a minute of processor time each run), and
not the others. Here the
flagged tables are written once to a DuckDB file under build/benchmark/ (by the
code on ``PYTHONPATH`` the first time; flagging is not timed), and each run
attaches it read-only and times the steps on an in-memory connection with the
project's memory limit, each table a node writes written as a table. The
report's summary gets one segment per customer (the customers in id order, dealt
round-robin into ``--segments`` segments), the same in every run; the value
models' calibration end is the pipeline's default.

With ``--output FOLDER`` the results are written there for comparing two versions
of the code file by file: ``data_quality_report.json``, ``customer_features.parquet``,
``customer_purchase_summary.parquet`` and
``customer_value_calibration_summary.parquet`` (each ordered by customer),
``business_period.json`` and ``monthly_segment_revenue.parquet``.
Run the code before a change with ``PYTHONPATH`` on its ``src/``.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_line_summaries.py --customers 1000000
    .venv/bin/python scripts/benchmark_line_summaries.py --customers 1000000 \
        --output build/benchmark/summaries_after
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pandas as pd
from benchmark_support import (
    SAMPLE_CACHE,
    add_engine_arguments,
    add_sample_arguments,
    cached_sample,
    duckdb_connection,
    processing_parameters,
    say,
    step,
    write_flagged_lines,
)

from customer_segmentation.pipelines.customer_value import nodes as value
from customer_segmentation.pipelines.customer_value.settings import (
    CalibrationSettings,
    CustomerValueSettings,
)
from customer_segmentation.pipelines.data_processing import nodes as processing
from customer_segmentation.pipelines.feature_engineering import nodes as features
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.reporting.business import summarise_transactions


def flagged_tables(data: Path, database: Path, memory_limit: str) -> None:
    """Writes the flagged lines and customers of ``data`` to ``database`` once."""
    if database.exists():
        return
    say(f"flagging the sample once into {database}")
    parameters = processing_parameters()
    kind = parameters["input_kind"]
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    connection = duckdb_connection(memory_limit, database=partial)
    raw = connection.read_parquet(data / "transactions.parquet")
    raw_customers = connection.read_csv(data / "customers.csv", all_varchar=True)
    standard = processing.standardise_transactions(
        raw, processing.TransactionsSchema(**parameters["transactions_schema"]), kind
    )
    rules = processing.CleaningRules(**parameters["cleaning_rules"])
    write_flagged_lines(connection, standard, rules)
    customers = processing.standardise_customers(
        raw_customers,
        processing.CustomersSchema(**parameters["customers_schema"]),
        kind,
    )
    customer_rules = processing.CustomerCleaningRules(
        **parameters["customer_cleaning_rules"]
    )
    connection.create_table(
        "flagged_customers", processing.flag_customers(customers, customer_rules)
    )
    connection.disconnect()
    partial.rename(database)


def run(
    database: Path,
    memory_limit: str,
    threads: int | None,
    segments: int,
    output: Path | None,
) -> None:
    """Times the steps on the flagged tables in ``database``."""
    parameters = processing_parameters()
    kind = parameters["input_kind"]
    connection = duckdb_connection(memory_limit, threads)
    connection.raw_sql(f"ATTACH '{database}' AS flagged (READ_ONLY)")
    flagged = connection.table("flagged_transactions", database="flagged")
    flagged_customers = connection.table("flagged_customers", database="flagged")
    clean = processing.select_clean_transactions(flagged)
    returned = processing.select_returned_transactions(flagged)
    clean_customers = connection.create_table(
        "clean_customers", processing.select_clean_customers(flagged_customers)
    )
    ids = clean.select("customer_id").distinct().order_by("customer_id").to_pandas()
    customer_segments = ids.assign(segment_id=range(len(ids))).assign(
        segment_id=lambda frame: frame["segment_id"] % segments
    )
    settings = features.FeatureSettings()
    report = step(
        "summarise_data_quality",
        lambda: processing.summarise_data_quality(
            flagged, clean, flagged_customers, clean_customers, kind
        ),
    )
    reference = step(
        "resolve_reference_date",
        lambda: features.resolve_reference_date(clean, settings, kind),
    )
    orders = step(
        "aggregate_customer_orders (write)",
        lambda: connection.create_table(
            "customer_orders", aggregate_customer_orders(clean)
        ),
    )
    customer_features = step(
        "compute_customer_features (write)",
        lambda: connection.create_table(
            "customer_features",
            features.compute_customer_features(
                orders, clean, returned, flagged_customers, reference, input_kind=kind
            ),
        ),
    )
    calibration_end = value.resolve_calibration_end(
        reference, CalibrationSettings(), kind
    )
    history = step(
        "aggregate_purchases (write)",
        lambda: connection.create_table(
            "customer_purchase_history",
            value.aggregate_customer_purchases(
                orders, customer_features, reference, calibration_end, kind
            ),
        ),
    )
    value_settings = CustomerValueSettings()
    purchase_summary = value.summarise_purchase_history(
        history, reference, value_settings
    )
    calibration_summary = value.summarise_calibration_purchases(
        history, reference, calibration_end, value_settings
    )
    period, monthly = step(
        "summarise_transactions (report)",
        lambda: summarise_transactions(orders, customer_segments, settings, kind),
    )
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        (output / "data_quality_report.json").write_text(
            json.dumps(report, indent=2, sort_keys=True, default=str)
        )
        ordered = {
            "customer_features": customer_features,
            "customer_purchase_summary": purchase_summary,
            "customer_value_calibration_summary": calibration_summary,
        }
        for name, table in ordered.items():
            table.order_by("customer_id").to_parquet(output / f"{name}.parquet")
        (output / "business_period.json").write_text(
            json.dumps(period, indent=2, sort_keys=True)
        )
        pd.DataFrame(monthly).to_parquet(output / "monthly_segment_revenue.parquet")
        say(f"  results written to {output}")


def main() -> None:
    """Parses the command line, flags the sample once and times the steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser)
    add_engine_arguments(parser)
    parser.add_argument("--segments", type=int, default=6)
    parser.add_argument("--output", type=Path, help="a folder to write the results to")
    arguments = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    SAMPLE_CACHE.mkdir(parents=True, exist_ok=True)
    data = cached_sample(arguments.customers, arguments.seed)
    database = (
        SAMPLE_CACHE / f"flagged_{arguments.customers}_seed{arguments.seed}.duckdb"
    )
    flagged_tables(data, database, arguments.memory_limit)
    say(
        f"data: {database}; memory limit: {arguments.memory_limit}; "
        f"threads: {arguments.threads}"
    )
    run(
        database,
        arguments.memory_limit,
        arguments.threads,
        arguments.segments,
        arguments.output,
    )


if __name__ == "__main__":
    main()
