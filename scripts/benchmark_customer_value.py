"""Times the customer_value pipeline on the synthetic sample at a given size.

Prints numbers; it asserts nothing. For each size, a temporary project (the
configuration of this one) gets the synthetic sample with that many customers as
its raw data (cached under build/benchmark/), then one KedroSession runs the
processing, feature and customer_value nodes up to the per-customer value and the
model-selection record. Every node's wall time is printed with the peak resident
memory of the process when it ended, then the total of the customer_value nodes.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_customer_value.py --customers 100000
    .venv/bin/python scripts/benchmark_customer_value.py --customers 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.framework.project import settings
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from customer_segmentation.pipelines.customer_value import create_pipeline
from customer_segmentation.sample_data import generate_sample, write_sample

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CACHE = PROJECT_ROOT / "build" / "benchmark"
TARGET_NODES = ["predict_customer_value_node", "record_value_model_selection_node"]


class NodeTimer:
    """Kedro hook that records every node's wall time, loads and saves included.

    Ibis nodes only build expressions; the engine runs when the outputs are saved,
    so the clock runs from the node's first load to its last save.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mib: dict[str, float] = {}
        self._started: dict[str, float] = {}

    @hook_impl
    def before_dataset_loaded(self, dataset_name: str, node: Any) -> None:
        """Starts the node's clock at its first load."""
        self._started.setdefault(node.name, time.perf_counter())

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any, node: Any) -> None:
        """Moves the node's end to its latest save; notes the peak memory so far."""
        self.seconds[node.name] = time.perf_counter() - self._started[node.name]
        self.peak_mib[node.name] = peak_resident_mib()


def peak_resident_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_sample(n_customers: int, seed: int) -> Path:
    """Writes (once) the synthetic sample of that size and returns its folder."""
    folder = CACHE / f"sample_{n_customers}_{seed}"
    if not (folder / "transactions.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_sample(generate_sample(n_customers, seed), folder)
    return folder


def make_project(destination: Path, raw: Path) -> None:
    """Copies the configuration and links the raw sample into a fresh project."""
    shutil.copy(PROJECT_ROOT / "pyproject.toml", destination)
    shutil.copytree(PROJECT_ROOT / "conf" / "base", destination / "conf" / "base")
    (destination / "conf" / "local").mkdir()
    (destination / "src").mkdir()
    for layer in ("02_intermediate", "04_feature", "06_models", "07_model_output"):
        (destination / "data" / layer).mkdir(parents=True)
    (destination / "data" / "01_raw").symlink_to(raw)


def run(n_customers: int, seed: int) -> None:
    """Runs the value nodes on a sample of ``n_customers`` and prints the times."""
    raw = raw_sample(n_customers, seed)
    timer = NodeTimer()
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        project = Path(folder)
        make_project(project, raw)
        os.chdir(project)
        bootstrap_project(project)
        settings.set("HOOKS", (*settings.HOOKS, timer))
        started = time.perf_counter()
        with KedroSession.create(project_path=project) as session:
            session.run(to_nodes=TARGET_NODES)
        total = time.perf_counter() - started
        os.chdir(PROJECT_ROOT)
    value_nodes = {node.name for node in create_pipeline().nodes}
    print(f"customers={n_customers:,} seed={seed}")  # noqa: T201
    for name, seconds in timer.seconds.items():
        marker = "*" if name in value_nodes else " "
        peak = timer.peak_mib[name]
        print(f"  {marker} {name:<40} {seconds:8.1f} s  peak {peak:7,.0f} MiB")  # noqa: T201
    value_seconds = sum(s for n, s in timer.seconds.items() if n in value_nodes)
    peak = peak_resident_mib()
    print(f"  customer_value nodes (*): {value_seconds:.1f} s")  # noqa: T201
    print(f"  whole run: {total:.1f} s; peak memory {peak:,.0f} MiB")  # noqa: T201


def main() -> None:
    """Parses the command line and runs the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    CACHE.mkdir(parents=True, exist_ok=True)
    run(arguments.customers, arguments.seed)


if __name__ == "__main__":
    main()
