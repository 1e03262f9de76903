"""What the benchmark scripts share: cached synthetic samples and a throwaway project."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from customer_segmentation.pipelines.data_processing import nodes as processing

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"}
SAMPLE_CACHE = PROJECT_ROOT / "build" / "benchmark"


def cached_sample(n_customers: int, seed: int) -> Path:
    """The generator's sample of that size and seed, made once under build/benchmark/.

    The sample is written by a separate process, so that its frames never count
    in the memory of the caller.

    Args:
        n_customers: Customers of the sample.
        seed: Seed of the generator.

    Returns:
        The folder holding ``transactions.parquet``, ``customers.csv`` and
        ``sample_truth.csv``.
    """
    folder = SAMPLE_CACHE / f"sample_{n_customers}_seed{seed}"
    if not (folder / "transactions.parquet").exists():
        print(f"generating the sample with {n_customers:,} customers in {folder}")  # noqa: T201
        subprocess.run(
            [sys.executable, "-m", "customer_segmentation.sample_data"]
            + ["--customers", str(n_customers), "--seed", str(seed)]
            + ["--output-dir", str(folder)],
            check=True,
            env=ENVIRONMENT,
        )
    return folder


def copy_configuration(target: Path) -> None:
    """Makes ``target`` a Kedro project with this project's base configuration.

    The package itself is the installed one, so ``src/`` stays empty; the caller
    adds the data folders and links the raw files it needs.

    Args:
        target: An empty folder.
    """
    for name in ("pyproject.toml", ".telemetry"):
        shutil.copy(PROJECT_ROOT / name, target)
    shutil.copytree(PROJECT_ROOT / "conf" / "base", target / "conf" / "base")
    (target / "conf" / "local").mkdir()
    (target / "src").mkdir()


def add_sample_arguments(
    parser: argparse.ArgumentParser, customers: int = 100_000, data_help: str = ""
) -> None:
    """Adds ``--customers`` and ``--seed`` (the generator's sample), and ``--data``.

    Args:
        parser: The script's parser.
        customers: Default number of customers.
        data_help: Help of ``--data``, a folder to read instead of the sample;
            empty for no ``--data`` option.
    """
    parser.add_argument("--customers", type=int, default=customers)
    parser.add_argument("--seed", type=int, default=11)
    if data_help:
        parser.add_argument("--data", type=Path, help=data_help)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``--memory-limit`` (default: the project's) and ``--threads`` for DuckDB."""
    engine = yaml.safe_load(
        (PROJECT_ROOT / "conf/base/parameters_engine.yml").read_text()
    )
    parser.add_argument(
        "--memory-limit",
        default=engine["duckdb"]["memory_limit"],
        help="DuckDB memory_limit (default: conf/base/parameters_engine.yml)",
    )
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: cores)")


def processing_parameters() -> dict:
    """The project's ``data_processing`` parameters (conf/base)."""
    return yaml.safe_load(
        (PROJECT_ROOT / "conf/base/parameters_data_processing.yml").read_text()
    )


def duckdb_connection(
    memory_limit: str, threads: int | None = None, database: Path | None = None
) -> object:
    """An Ibis DuckDB connection spilling under build/benchmark/.

    Args:
        memory_limit: DuckDB ``memory_limit``.
        threads: DuckDB threads (``None``: one per core).
        database: A database file (``None``: in memory).

    Returns:
        The connection.
    """
    import ibis  # noqa: PLC0415

    return ibis.duckdb.connect(
        *([database] if database is not None else []),
        memory_limit=memory_limit,
        temp_directory=str(SAMPLE_CACHE / "duckdb_spill"),
        **({"threads": threads} if threads else {}),
    )


def say(line: str) -> None:
    """Writes one line of results to standard output, at once (long runs show it)."""
    print(line, flush=True)  # noqa: T201


def children_processor_seconds() -> float:
    """Processor seconds of the children this process waited for (a run it started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def processor_seconds() -> float:
    """Processor seconds of this process and of the children it waited for.

    The children count too: pytensor compiles in a C compiler process.
    """
    usage = [
        resource.getrusage(who)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    ]
    return sum(item.ru_utime + item.ru_stime for item in usage)


def peak_rss_gib() -> float:
    """The peak resident memory of this process since the last reset, in GiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def reset_peak_rss() -> None:
    """Starts a new peak of resident memory (Linux: writing 5 to clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def step(name: str, work: Callable[[], Any], *, memory: bool = False) -> Any:
    """Runs one step and prints its processor and wall seconds.

    Args:
        name: The step, as printed.
        work: The step.
        memory: Also print the peak resident memory of the process during it.

    Returns:
        What ``work`` returned.
    """
    if memory:
        reset_peak_rss()
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    line = f"  {name:<34} {cpu:8.2f} s processor {wall:8.2f} s wall"
    say(f"{line} {peak_rss_gib():6.2f} GiB peak RSS" if memory else line)
    return result


def write_flagged_lines(
    connection: Any,
    standard: Any,
    rules: Any,
    timed: Callable[..., Any] | None = None,
) -> Any:
    """Writes the flagged lines as the catalog stores them: two tables and a view.

    Args:
        connection: An Ibis DuckDB connection.
        standard: The standardised lines (an expression).
        rules: The cleaning rules.
        timed: :func:`step`, to time the two writes; ``None`` runs them untimed.

    Returns:
        The ``flagged_transactions`` view.
    """

    def run(name: str, work: Callable[[], Any]) -> Any:
        return timed(name, work, memory=True) if timed else work()

    keyed = run(
        "flag_transactions (the write)",
        lambda: connection.create_table(
            "keyed_transactions", processing.flag_transactions(standard, rules)
        ),
    )
    repeated = run(
        "find_repeated_lines (the write)",
        lambda: connection.create_table(
            "repeated_transactions", processing.find_repeated_lines(keyed, rules)
        ),
    )
    return connection.create_view(
        "flagged_transactions", processing.flag_duplicate_lines(keyed, repeated, rules)
    )
