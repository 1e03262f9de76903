"""Times each transaction-level step in processor seconds, on one DuckDB connection.

Prints numbers; it asserts nothing. The wall time of a run on a shared machine
follows the load of other work; the processor time of this process (DuckDB's
threads included) much less. The nodes of data_processing and feature_engineering
run here as plain functions on one in-memory DuckDB connection (``--memory-limit``,
default the project's ``duckdb.memory_limit``, spilling under build/benchmark/),
each table written with ``CREATE TABLE ... AS`` as the catalog does, and the flagged,
clean and returned lines as views. Printed per step: the processor and wall seconds and the peak resident
memory of the process during the step, then the rows dropped per rule.

With ``--output FOLDER`` the results are written there for comparing two versions
of the code file by file: ``flagged_transactions.parquet`` (every line, ordered by
every column), ``data_quality_report.json`` and ``customer_features.parquet``
(ordered by customer). ``--flag-only`` stops after flagging; ``--database FILE``
writes the tables to a DuckDB file (replaced), as ``kedro run`` does. Run the code
before a change with ``PYTHONPATH`` on its ``src/``.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_transaction_steps.py --customers 1000000
    .venv/bin/python scripts/benchmark_transaction_steps.py --data path/to/folder \
        --memory-limit 1.5GB --output build/benchmark/results_after
    .venv/bin/python scripts/benchmark_transaction_steps.py --customers 1000000 \
        --flag-only --database build/benchmark/flagging.duckdb
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

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

from customer_segmentation.pipelines.data_processing import nodes as processing
from customer_segmentation.pipelines.feature_engineering import nodes as features
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)


def write_flagged(flagged: object, output: Path) -> None:
    """Writes the flagged lines ordered by every column, nulls first."""
    columns = list(flagged.columns)
    flagged.order_by(
        [flagged[name].asc(nulls_first=True) for name in columns]
    ).to_parquet(output / "flagged_transactions.parquet")


def run(
    data: Path,
    memory_limit: str,
    threads: int | None,
    output: Path | None,
    *,
    flag_only: bool = False,
    database: Path | None = None,
) -> None:
    """Runs the transaction-level steps on the sample in ``data``."""
    parameters = processing_parameters()
    if database is not None:
        database.unlink(missing_ok=True)
    connection = duckdb_connection(memory_limit, threads, database)
    raw = connection.read_parquet(
        data / "transactions.parquet", table_name="raw_transactions"
    )
    raw_customers = connection.read_csv(
        data / "customers.csv", table_name="raw_customers", all_varchar=True
    )
    kind = parameters["input_kind"]
    schema = processing.TransactionsSchema(**parameters["transactions_schema"])
    standard = step(
        "standardise_transactions (checks)",
        lambda: processing.standardise_transactions(raw, schema, kind),
        memory=True,
    )
    rules = processing.CleaningRules(**parameters["cleaning_rules"])
    flagged = write_flagged_lines(connection, standard, rules, step)
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        write_flagged(flagged, output)
    if flag_only:
        return
    clean = connection.create_view(
        "clean_transactions", processing.select_clean_transactions(flagged)
    )
    returned = connection.create_view(
        "returned_transactions", processing.select_returned_transactions(flagged)
    )
    customer_schema = processing.CustomersSchema(**parameters["customers_schema"])
    customers = step(
        "standardise_customers (the write)",
        lambda: connection.create_table(
            "validated_customers",
            processing.standardise_customers(raw_customers, customer_schema, kind),
        ),
        memory=True,
    )
    customer_rules = processing.CustomerCleaningRules(
        **parameters["customer_cleaning_rules"]
    )
    flagged_customers = connection.create_table(
        "flagged_customers", processing.flag_customers(customers, customer_rules)
    )
    clean_customers = connection.create_table(
        "clean_customers", processing.select_clean_customers(flagged_customers)
    )
    report = step(
        "summarise_data_quality",
        lambda: processing.summarise_data_quality(
            flagged, clean, flagged_customers, clean_customers, kind
        ),
        memory=True,
    )
    reference = step(
        "resolve_reference_date",
        lambda: features.resolve_reference_date(
            clean, features.FeatureSettings(), kind
        ),
        memory=True,
    )
    orders = step(
        "aggregate_customer_orders (write)",
        lambda: connection.create_table(
            "customer_orders", aggregate_customer_orders(clean)
        ),
        memory=True,
    )
    customer_features = step(
        "compute_customer_features (write)",
        lambda: connection.create_table(
            "customer_features",
            features.compute_customer_features(
                orders, clean, returned, flagged_customers, reference, input_kind=kind
            ),
        ),
        memory=True,
    )
    say(f"  rows out {report['rows_out']:,}; dropped {report['rows_dropped']}")
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        (output / "data_quality_report.json").write_text(
            json.dumps(report, indent=2, sort_keys=True, default=str)
        )
        customer_features.order_by("customer_id").to_parquet(
            output / "customer_features.parquet"
        )
        say(f"  results written to {output}")


def main() -> None:
    """Parses the command line and runs the steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(
        parser,
        data_help="a folder with transactions.parquet and customers.csv (instead "
        "of the generator's sample)",
    )
    add_engine_arguments(parser)
    parser.add_argument(
        "--output",
        type=Path,
        help="a folder to write the flagged lines, the report and features to",
    )
    parser.add_argument(
        "--flag-only", action="store_true", help="stop after flagging the lines"
    )
    parser.add_argument(
        "--database",
        type=Path,
        help="a DuckDB file to write the tables to, as kedro run does (replaced)",
    )
    arguments = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    SAMPLE_CACHE.mkdir(parents=True, exist_ok=True)
    data = arguments.data or cached_sample(arguments.customers, arguments.seed)
    say(f"data: {data}")
    say(f"memory limit: {arguments.memory_limit}; threads: {arguments.threads}")
    run(
        data,
        arguments.memory_limit,
        arguments.threads,
        arguments.output,
        flag_only=arguments.flag_only,
        database=arguments.database,
    )


if __name__ == "__main__":
    main()
