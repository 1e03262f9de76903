"""Times the customer value fits on every customer and on the configured fit sample.

Prints numbers; it asserts nothing. The purchase summary (frequency, recency and T
in weeks, mean repeat spend; a purchase is a calendar day) is built by one DuckDB
query straight from the generator's sample (cached under build/benchmark/), with
the cleaning reduced to its main rules (customer id present, positive quantity and
price, no cancellation), so that the fits can be timed without running the
transaction pipelines. Then ``fit_customer_value_models`` runs, after importing
pymc-marketing, with ``customer_value.fit_sample`` at its default and/or on every
customer (``--fits``), and each run's processor and wall time and fitted
parameters are printed.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_value_fit.py --customers 1000000 --fits all
    .venv/bin/python scripts/benchmark_value_fit.py --customers 1000000 --fits sample
"""

from __future__ import annotations

import argparse
import os
import time

import duckdb
import pandas as pd
from benchmark_support import SAMPLE_CACHE, cached_sample

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


def say(line: str) -> None:
    """Writes one line of results to standard output."""
    print(line, flush=True)  # noqa: T201


def main() -> None:
    """Parses the command line, builds the summary and times both fits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--fits",
        default="sample,all",
        help="which fits, in order: sample, all, or both (a later one in the same "
        "process may reuse what an earlier one compiled: time each in its own run)",
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

    fits = {
        "sample": (f"fit_sample.size={FitSample().size:,}", FitSample()),
        "all": ("every customer", FitSample(size=None)),
    }
    for label, sample in (fits[name] for name in arguments.fits.split(",")):
        settings = CustomerValueSettings(fit_sample=sample)
        cpu, wall = time.process_time(), time.perf_counter()
        models = fit_customer_value_models(summary, pd.NaT, settings)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        say(f"  {label}: {cpu:.1f} s processor, {wall:.1f} s wall")
        for name, fit in (
            ("BG/NBD", models.bg_nbd),
            ("Gamma-Gamma", models.gamma_gamma),
        ):
            parameters = {key: round(value, 4) for key, value in fit.parameters.items()}
            say(f"    {name} on {fit.n_customers:,} customers: {parameters}")


if __name__ == "__main__":
    main()
