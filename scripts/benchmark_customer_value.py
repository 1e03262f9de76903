"""Times the customer_value pipeline on the synthetic sample at a given size.

Prints numbers; it asserts nothing. For each size, a temporary project (the
configuration of this one) gets the synthetic sample with that many customers as
its raw data (cached under build/benchmark/), then one KedroSession runs the
processing, feature and customer_value nodes up to the per-customer value and the
model-selection record. Every node's wall time is printed with its processor
time (of every thread of the process, read when the node timing hook logs the
node's end, so the node's loads and saves count) and the peak resident memory of
the process when it ended, then the totals of the customer_value nodes and of the
whole run.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_customer_value.py --customers 100000
    .venv/bin/python scripts/benchmark_customer_value.py --customers 1000000
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

from benchmark_support import (
    PROJECT_ROOT,
    SAMPLE_CACHE,
    cached_sample,
    copy_configuration,
    processor_seconds,
)
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from customer_segmentation.node_timing import parse_node_timings, peak_resident_bytes
from customer_segmentation.pipelines.customer_value import create_pipeline

timing_logger = logging.getLogger("customer_segmentation.node_timing")
TARGET_NODES = ["predict_customer_value_node", "record_value_model_selection_node"]
# Named pipelines: in __default__ the node names carry their pipeline namespace.
PIPELINES = ["data_processing", "feature_engineering", "customer_value"]


class NodeTimingLines(logging.Handler):
    """Keeps the lines the project's node timing hook logs during a run.

    With each line it reads the process's processor time: the difference from
    the line before is the processor time of the node (nodes run one at a time).
    """

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.processor_seconds: list[float] = []
        self.started = time.process_time()

    def emit(self, record: logging.LogRecord) -> None:
        """Keeps the formatted message of one node timing line."""
        now = time.process_time()
        self.lines.append(record.getMessage())
        self.processor_seconds.append(now - self.started)
        self.started = now


def make_project(destination: Path, raw: Path) -> None:
    """Copies the configuration and links the raw sample into a fresh project."""
    copy_configuration(destination)
    for layer in ("02_intermediate", "04_feature", "06_models", "07_model_output"):
        (destination / "data" / layer).mkdir(parents=True)
    (destination / "data" / "01_raw").symlink_to(raw)


def run(n_customers: int, seed: int) -> None:
    """Runs the value nodes on a sample of ``n_customers`` and prints the times."""
    raw = cached_sample(n_customers, seed)
    timing = NodeTimingLines()
    with tempfile.TemporaryDirectory(dir=SAMPLE_CACHE) as folder:
        project = Path(folder)
        make_project(project, raw)
        os.chdir(project)
        bootstrap_project(project)
        started, processor_started = time.perf_counter(), processor_seconds()
        with KedroSession.create(project_path=project) as session:
            timing_logger.addHandler(timing)
            try:
                session.run(pipeline_names=PIPELINES, to_nodes=TARGET_NODES)
            finally:
                timing_logger.removeHandler(timing)
        total = time.perf_counter() - started
        processor_total = processor_seconds() - processor_started
        os.chdir(PROJECT_ROOT)
    value_nodes = {node.name for node in create_pipeline().nodes}
    print(f"customers={n_customers:,} seed={seed}")  # noqa: T201
    timings = parse_node_timings("\n".join(timing.lines))
    for row, processor in zip(timings, timing.processor_seconds, strict=True):
        row["processor_seconds"] = processor
        marker = "*" if row["node"] in value_nodes else " "
        peak = row["peak_rss_gib"] * 1024
        print(  # noqa: T201
            f"  {marker} {row['node']:<40} {row['seconds']:8.1f} s wall "
            f"{processor:8.1f} s processor  peak {peak:7,.0f} MiB"
        )
    value = [row for row in timings if row["node"] in value_nodes]
    wall = sum(row["seconds"] for row in value)
    processor = sum(row["processor_seconds"] for row in value)
    peak = peak_resident_bytes() / 1024**2
    print(  # noqa: T201
        f"  customer_value nodes (*): {wall:.1f} s wall, {processor:.1f} s processor"
    )
    print(  # noqa: T201
        f"  whole run: {total:.1f} s wall, {processor_total:.1f} s processor "
        f"(with child processes); peak memory {peak:,.0f} MiB"
    )


def main() -> None:
    """Parses the command line and runs the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args()
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    SAMPLE_CACHE.mkdir(parents=True, exist_ok=True)
    run(arguments.customers, arguments.seed)


if __name__ == "__main__":
    main()
