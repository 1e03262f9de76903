"""Times the customer value fits on every customer and on the configured fit sample.

Prints numbers; it asserts nothing. The purchase summary (frequency, recency and T
in weeks, mean repeat spend; a purchase is a calendar day) is built by one DuckDB
query straight from the generator's sample (cached under build/benchmark/), with
the cleaning reduced to its main rules (customer id present, positive quantity and
price, no cancellation), so that the fits can be timed without running the
transaction pipelines. Then ``fit_customer_value_models`` runs, after importing
pymc-marketing, with ``customer_value.fit_sample`` at its default, with other seeds
of the sample and/or on every customer (``--fits``), and each run's processor and
wall time and fitted parameters are printed. With ``--value``, every customer is
then valued with each fit (``predict_customer_value``, the default horizon and
discount) and the total lifetime value of each planted group of the generator
(``sample_truth.csv``, what the segments recover) is printed per fit, with its
difference to the first fit's.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_value_fit.py --customers 1000000 --fits all
    .venv/bin/python scripts/benchmark_value_fit.py --customers 1000000 --fits sample
    .venv/bin/python scripts/benchmark_value_fit.py --customers 1000000 --value \
        --fits all,sample,sample:1,sample:2,sample:3,sample:4
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb
import pandas as pd
from benchmark_support import (
    SAMPLE_CACHE,
    add_sample_arguments,
    cached_sample,
    say,
)

from customer_segmentation.bundle import CustomerValueModels
from customer_segmentation.pipelines.customer_value.models import (
    predict_customer_value,
)
from customer_segmentation.pipelines.customer_value.nodes import (
    fit_customer_value_models,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
    FitSample,
)

SUMMARY_QUERY = """
with days as (
    select customer_id, date_trunc('day', invoice_date) as day,
           sum(quantity * unit_price) as spend
    from read_parquet(?)
    where customer_id is not null and quantity > 0 and unit_price > 0
      and not starts_with(invoice_id, 'C')
    group by all
), customers as (
    select customer_id, min(day) as first, max(day) as last,
           count(*) - 1 as frequency
    from days group by all
), reference as (select max(day) + interval 1 day as moment from days)
select c.customer_id::varchar as customer_id, c.frequency,
       date_diff('day', c.first, c.last) / 7.0 as recency,
       date_diff('day', c.first, r.moment) / 7.0 as "T",
       coalesce(avg(d.spend) filter (where d.day > c.first), 0) as monetary_value
from customers c cross join reference r join days d using (customer_id)
group by all
"""


def main() -> None:
    """Parses the command line, builds the summary and times both fits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, customers=1_000_000)
    parser.add_argument(
        "--fits",
        default="sample,all",
        help="which fits, in order: all (every customer), sample (the default "
        "fit_sample) or sample:SEED (a sample of the default size with that seed); "
        "a later one in the same process may reuse what an earlier one compiled: "
        "time each in its own run",
    )
    parser.add_argument(
        "--value",
        action="store_true",
        help="value every customer with each fit and print the total lifetime "
        "value per planted group",
    )
    arguments = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    SAMPLE_CACHE.mkdir(parents=True, exist_ok=True)
    data = cached_sample(arguments.customers, arguments.seed)
    connection = duckdb.connect(config={"memory_limit": "2GB"})
    summary = connection.execute(
        SUMMARY_QUERY, [str(data / "transactions.parquet")]
    ).df()
    say(f"customers={len(summary):,} seed={arguments.seed}")
    # The import of pymc-marketing (seconds) is paid here, by no timed run.
    import pymc_marketing.clv  # noqa: F401, PLC0415

    fitted = {}
    for name in arguments.fits.split(","):
        label, sample = _fit_sample(name)
        settings = CustomerValueSettings(fit_sample=sample)
        cpu, wall = time.process_time(), time.perf_counter()
        models = fit_customer_value_models(summary, pd.NaT, settings)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        say(f"  {label}: {cpu:.1f} s processor, {wall:.1f} s wall")
        for model, fit in (
            ("BG/NBD", models.bg_nbd),
            ("Gamma-Gamma", models.gamma_gamma),
        ):
            parameters = {key: round(value, 4) for key, value in fit.parameters.items()}
            say(f"    {model} on {fit.n_customers:,} customers: {parameters}")
        fitted[label] = models
    if arguments.value:
        say_group_values(summary, fitted, data / "sample_truth.csv")


def _fit_sample(name: str) -> tuple[str, FitSample]:
    if name == "all":
        return "every customer", FitSample(size=None)
    if name == "sample":
        return f"fit_sample.size={FitSample().size:,}", FitSample()
    seed = int(name.removeprefix("sample:"))
    return f"fit_sample.size={FitSample().size:,} seed {seed}", FitSample(
        random_state=seed
    )


def say_group_values(
    summary: pd.DataFrame, fitted: dict[str, CustomerValueModels], truth_file: Path
) -> None:
    """Prints the total lifetime value of each planted group under each fit."""
    truth = pd.read_csv(truth_file, dtype={"customer_id": str})
    groups = summary[["customer_id"]].merge(truth, on="customer_id", how="left")
    totals = pd.DataFrame(
        {
            label: predict_customer_value(models, summary, CustomerValueSettings())[
                "clv"
            ]
            .groupby(groups["planted_group"].to_numpy())
            .sum()
            .astype(float)
            for label, models in fitted.items()
        }
    )
    totals.loc["all customers"] = totals.sum()
    first = totals.columns[0]
    say(f"total lifetime value per planted group; difference to {first!r}:")
    for group, row in totals.iterrows():
        differences = ", ".join(
            f"{(row[label] / row[first] - 1) * 100:+.2f}%"
            for label in totals.columns[1:]
        )
        say(f"  {group:<22} {row[first]:16,.0f}  {differences}")


if __name__ == "__main__":
    main()
