"""Benchmarks the modeling pipeline against a plain K-means sweep at 100k and 1M customers.

Usage:
    .venv/bin/python scripts/benchmark_modeling.py [--sizes 100000 1000000]

Every measurement runs in a fresh Python process so its peak memory (max RSS)
is its own. The modeling pipeline runs with the project's parameters
(conf/base/parameters_modeling.yml) through a Kedro runner on a synthetic
``model_input`` (six planted groups in recency/frequency/monetary). The
baseline is what the project did before: K-means with n_init=10 on every
customer for k=2..10, plus the silhouette on every customer; the silhouette is
O(n^2), so it is timed at ``--silhouette-size`` customers and extrapolated
quadratically (marked "extrapolated").
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
K_VALUES = range(2, 11)
MEGABYTE = 1024


def synthetic_model_input(n_customers: int, seed: int = 0) -> pd.DataFrame:
    """Makes customers in six planted groups of recency, frequency and monetary.

    Args:
        n_customers: Number of customers.
        seed: Seed of the generator.

    Returns:
        ``customer_id``, ``recency_days``, ``frequency``, ``monetary``.
    """
    generator = np.random.default_rng(seed)
    # (recency days, invoices, revenue) medians of the planted groups.
    centres = np.log(
        [
            [10, 30, 8000],
            [30, 8, 1500],
            [200, 6, 1200],
            [40, 2, 150],
            [300, 1, 60],
            [15, 1, 40],
        ]
    )
    groups = generator.integers(0, len(centres), n_customers)
    logged = centres[groups] + generator.normal(0, 0.25, (n_customers, 3))
    values = np.exp(logged)
    return pd.DataFrame(
        {
            "customer_id": np.arange(n_customers).astype(str),
            "recency_days": np.round(values[:, 0]),
            "frequency": np.maximum(1, np.round(values[:, 1])),
            "monetary": values[:, 2].round(2),
        }
    )


def _peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MEGABYTE


def run_pipeline(n_customers: int) -> dict[str, float]:
    """Runs the whole modeling pipeline (plots included) and times it.

    Args:
        n_customers: Number of synthetic customers.

    Returns:
        Wall seconds of the run, peak memory in MB, chosen algorithm and k.
    """
    sys.path.insert(0, str(PROJECT_ROOT))
    from customer_segmentation.pipelines.modeling import create_pipeline  # noqa: PLC0415
    from customer_segmentation.pipelines.modeling.settings import (  # noqa: PLC0415
        ModelFeatures,
    )
    from tests.pipelines.modeling.support import (  # noqa: PLC0415
        load_modeling_parameters,
        run_modeling,
    )

    model_input = synthetic_model_input(n_customers)
    features = ModelFeatures(numeric=["recency_days", "frequency", "monetary"])
    started = time.perf_counter()
    catalog = run_modeling(
        create_pipeline(), model_input, features, load_modeling_parameters()
    )
    seconds = time.perf_counter() - started
    selection = catalog["model_selection"].load()
    chosen = selection[selection["chosen"]].iloc[0]
    return {
        "seconds": seconds,
        "peak_mb": _peak_megabytes(),
        "chosen": f"{chosen['algorithm']} k={int(chosen['k'])}",
        "stability": float(chosen["stability"]),
    }


def run_baseline(n_customers: int, silhouette_size: int) -> dict[str, float]:
    """Times a plain K-means sweep (n_init=10, all rows) and the full silhouette.

    Args:
        n_customers: Number of synthetic customers.
        silhouette_size: Customers the full silhouette is timed on; larger
            sizes are extrapolated by (n / silhouette_size)^2.

    Returns:
        Seconds of the K-means sweep, of the silhouettes (measured or
        extrapolated), peak memory in MB.
    """
    from sklearn.cluster import KMeans  # noqa: PLC0415
    from sklearn.metrics import silhouette_score  # noqa: PLC0415
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415

    model_input = synthetic_model_input(n_customers)
    matrix = StandardScaler().fit_transform(
        np.log1p(model_input[["recency_days", "frequency", "monetary"]].to_numpy())
    )
    kmeans_seconds = 0.0
    silhouette_seconds = 0.0
    measured_rows = min(n_customers, silhouette_size)
    for k in K_VALUES:
        started = time.perf_counter()
        labels = KMeans(n_clusters=k, n_init=10, random_state=42).fit_predict(matrix)
        kmeans_seconds += time.perf_counter() - started
        started = time.perf_counter()
        silhouette_score(matrix[:measured_rows], labels[:measured_rows])
        silhouette_seconds += time.perf_counter() - started
    extrapolated = n_customers > measured_rows
    silhouette_seconds *= (n_customers / measured_rows) ** 2
    return {
        "kmeans_seconds": kmeans_seconds,
        "silhouette_seconds": silhouette_seconds,
        "silhouette_extrapolated": extrapolated,
        "seconds": kmeans_seconds + silhouette_seconds,
        "peak_mb": _peak_megabytes(),
    }


def _in_fresh_process(*arguments: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, *arguments],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Parses the arguments, runs every measurement and prints the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--silhouette-size", type=int, default=10_000)
    parser.add_argument("--worker", choices=["pipeline", "baseline"])
    parser.add_argument("--customers", type=int)
    arguments = parser.parse_args()
    if arguments.worker == "pipeline":
        logging.disable(logging.INFO)
        print(json.dumps(run_pipeline(arguments.customers)))  # noqa: T201
        return
    if arguments.worker == "baseline":
        result = run_baseline(arguments.customers, arguments.silhouette_size)
        print(json.dumps(result))  # noqa: T201
        return
    header = (
        f"{'customers':>10} | {'pipeline s':>10} {'peak MB':>8} | "
        f"{'baseline s':>10} {'(kmeans':>8} {'+ silhouette)':>14} {'peak MB':>8} | "
        f"{'speed-up':>8} {'vs kmeans only':>14} | chosen"
    )
    print(header)  # noqa: T201
    for size in arguments.sizes:
        pipeline = _in_fresh_process("--worker", "pipeline", "--customers", str(size))
        baseline = _in_fresh_process(
            "--worker",
            "baseline",
            "--customers",
            str(size),
            "--silhouette-size",
            str(arguments.silhouette_size),
        )
        silhouette_note = "*" if baseline["silhouette_extrapolated"] else " "
        print(  # noqa: T201
            f"{size:>10} | {pipeline['seconds']:>10.1f} {pipeline['peak_mb']:>8.0f} | "
            f"{baseline['seconds']:>10.1f} {baseline['kmeans_seconds']:>8.1f} "
            f"{baseline['silhouette_seconds']:>13.1f}{silhouette_note} "
            f"{baseline['peak_mb']:>8.0f} | "
            f"{baseline['seconds'] / pipeline['seconds']:>7.1f}x "
            f"{baseline['kmeans_seconds'] / pipeline['seconds']:>13.2f}x | "
            f"{pipeline['chosen']} (stability {pipeline['stability']:.3f})"
        )
    print(  # noqa: T201
        f"* silhouette timed on {arguments.silhouette_size} customers and "
        "extrapolated by (n / that)^2"
    )


if __name__ == "__main__":
    main()
