"""Times the holdout check and the fit of the value models, as plain functions, in processor seconds.

Prints numbers; it asserts nothing. The purchase summary and the calibration /
holdout split are built by the project's own Ibis code on DuckDB from the
generator's sample (cached under build/benchmark/, or ``--data``), with the
cleaning reduced to its main rules (customer id present, positive quantity and
price, no cancellation), the reference date the day after the last line and the
calibration end six months before it, as the pipeline's defaults give. Then,
after importing pymc-marketing (not timed), ``check_purchase_model_calibration``
and ``fit_customer_value_models`` run in this order, ``--repeat`` times each,
with the default settings; every run prints its processor seconds (this process
and the compiler processes it waited for) and wall seconds. The first run of the
first node pays what a fresh process pays once: reading pytensor's compile cache
and compiling.

With ``--output FILE`` the summary of the holdout check and the fitted models are
written as JSON, for comparing two versions of the code. Run the code before a
change with ``PYTHONPATH`` on its ``src/``.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_value_nodes.py --customers 1000000
    .venv/bin/python scripts/benchmark_value_nodes.py --data path/to/folder \
        --repeat 2 --output build/benchmark/value_nodes_after.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import ibis
import pandas as pd
from benchmark_support import (
    SAMPLE_CACHE,
    add_sample_arguments,
    cached_sample,
    processor_seconds,
    say,
)

from customer_segmentation.pipelines.customer_value.inputs import (
    aggregate_purchases,
    split_history,
    summarise_history,
)
from customer_segmentation.pipelines.customer_value.nodes import (
    check_purchase_model_calibration,
    fit_customer_value_models,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CalibrationSettings,
    CustomerValueSettings,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)


def summaries(transactions: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The purchase summary and the calibration split of the sample's lines."""
    connection = ibis.duckdb.connect()
    lines = connection.read_parquet(transactions)
    lines = lines.filter(
        lines.customer_id.notnull()
        & (lines.quantity > 0)
        & (lines.unit_price > 0)
        & ~lines.invoice_id.startswith("C")
    ).mutate(
        customer_id=lines.customer_id.cast("string"),
        line_total=lines.quantity * lines.unit_price,
    )
    last = pd.Timestamp(connection.execute(lines.invoice_date.max()))
    reference = last.normalize() + pd.Timedelta(days=1)
    calibration_end = reference - pd.DateOffset(months=6)
    customers = lines.select("customer_id").distinct()
    orders = aggregate_customer_orders(lines)
    history = connection.create_table(
        "history", aggregate_purchases(orders, customers, reference, calibration_end)
    )
    return (
        connection.execute(summarise_history(history, reference, "weeks")),
        connection.execute(split_history(history, calibration_end, reference, "weeks")),
    )


def main() -> None:
    """Parses the command line, builds the summaries and times the two nodes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(
        parser,
        data_help="folder with transactions.parquet (default: the generator's sample)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--output", type=Path, help="JSON file of the results")
    arguments = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    SAMPLE_CACHE.mkdir(parents=True, exist_ok=True)
    data = arguments.data or cached_sample(arguments.customers, arguments.seed)
    summary, calibration_summary = summaries(data / "transactions.parquet")
    say(
        f"{data}: {len(summary):,} customers, {len(calibration_summary):,} "
        "in the calibration period"
    )
    # The import of pymc-marketing (seconds) is paid here, by no timed run.
    import pymc_marketing.clv  # noqa: F401, PLC0415

    settings, calibration = CustomerValueSettings(), CalibrationSettings()
    nodes = {
        "check_purchase_model_calibration": lambda: check_purchase_model_calibration(
            calibration_summary, settings, calibration
        )[1],
        "fit_customer_value_models": lambda: fit_customer_value_models(
            summary, pd.NaT, settings
        ).model_dump(),
    }
    results = {}
    for run in range(1, arguments.repeat + 1):
        for name, node in nodes.items():
            processor, wall = processor_seconds(), time.perf_counter()
            results[name] = node()
            processor = processor_seconds() - processor
            wall = time.perf_counter() - wall
            say(
                f"  run {run} {name:<34} {processor:6.2f} s processor {wall:6.2f} s wall"
            )
    if arguments.output:
        arguments.output.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
