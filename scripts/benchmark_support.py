"""What the benchmark scripts share: cached synthetic samples and a throwaway project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
