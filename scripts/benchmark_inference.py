"""Benchmarks batch scoring (`kedro run --pipelines=inference`) of a generated sample.

Prints numbers; it asserts nothing. It makes a temporary project (or reuses the one
given with ``--project``), publishes a model bundle there by training on the
project's built-in sample (``kedro run``, not measured), links the generator's sample
of ``--customers`` (cached under build/benchmark/) as the new data, then times in
one session:

- the floor: the DuckDB aggregate of recency, frequency and monetary value straight
  from the parquet file (``benchmark_floor.py --aggregate-only``); assigning the
  customers of a fitted model to their nearest centre adds well under a second;
- ``kedro run --pipelines=inference`` on the same file.

Each with its wall time and the peak resident memory of the whole process tree, and
with ``--per-node`` the node timing hook's breakdown.

Usage (from the project root)::

    python scripts/benchmark_inference.py --customers 1000000 --per-node
    python scripts/benchmark_inference.py --customers 1000000 --project /tmp/scoring \
        --params "inference.scoring.batch_customers=200000"
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmark_pipeline import (
    print_node_timings,
    run_measured,
    say,
    temporary_project,
)
from benchmark_support import ENVIRONMENT, PROJECT_ROOT, cached_sample

NEW_DATA = ("transactions.parquet", "customers.csv")


def trained_project(project: Path) -> None:
    """Makes ``project`` a project with a published model bundle, unless it has one."""
    if (project / "data" / "06_models" / "model_bundle").exists():
        return
    temporary_project(PROJECT_ROOT / "data" / "01_raw", project)
    kedro = str(Path(sys.executable).with_name("kedro"))
    seconds, gib, _, _ = run_measured([kedro, "run"], project, _environment(project))
    say(f"trained on the built-in sample in {seconds:.1f} s ({gib:.2f} GiB)")


def _environment(project: Path) -> dict[str, str]:
    return {
        **ENVIRONMENT,
        "KEDRO_LOGGING_CONFIG": str(project / "conf" / "logging.yml"),
    }


def link_new_data(project: Path, data: Path) -> None:
    """Points the project's new-data files at the sample."""
    new = project / "data" / "01_raw" / "new"
    new.mkdir(parents=True, exist_ok=True)
    for name in NEW_DATA:
        target = new / name
        if target.is_symlink() or target.exists():
            target.unlink()
        os.symlink(data / name, target)


def measure(project: Path, arguments: argparse.Namespace) -> None:
    """Trains if needed, then times the floor and the inference run."""
    trained_project(project)
    data = cached_sample(arguments.customers, arguments.seed)
    link_new_data(project, data)
    floor = PROJECT_ROOT / "scripts" / "benchmark_floor.py"
    floor_seconds, floor_gib, _, _ = run_measured(
        [
            sys.executable,
            str(floor),
            str(data / "transactions.parquet"),
            "--aggregate-only",
        ],
        PROJECT_ROOT,
    )
    command = [
        str(Path(sys.executable).with_name("kedro")),
        "run",
        "--pipelines=inference",
    ]
    if arguments.params:
        command.append(f"--params={arguments.params}")
    seconds, gib, log_text, _ = run_measured(command, project, _environment(project))
    say(
        f"{'customers':>10} {'floor s':>8} {'floor GiB':>9} {'kedro s':>8} {'kedro GiB':>9} {'ratio':>6}"
    )
    say(
        f"{arguments.customers:>10,} {floor_seconds:>8.1f} {floor_gib:>9.2f} "
        f"{seconds:>8.1f} {gib:>9.2f} {seconds / floor_seconds:>6.2f}"
    )
    if arguments.per_node:
        print_node_timings(log_text, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--project", type=Path, help="a project folder to train in once and reuse"
    )
    parser.add_argument("--params", help="passed to kedro run --params")
    parser.add_argument("--per-node", action="store_true")
    arguments = parser.parse_args()
    if arguments.project is not None:
        arguments.project.mkdir(parents=True, exist_ok=True)
        measure(arguments.project, arguments)
        return
    with tempfile.TemporaryDirectory(prefix="inference_benchmark_") as temporary:
        measure(Path(temporary), arguments)


if __name__ == "__main__":
    main()
