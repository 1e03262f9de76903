"""Benchmarks `kedro run` at given sizes against the cheapest pipeline doing the same job.

Prints numbers; it asserts nothing. For each size it generates the synthetic sample
(cached under build/benchmark/), copies the project configuration into a temporary
project that reads that sample, and times in one session:

- the floor: a DuckDB aggregate of recency, frequency and monetary value straight
  from the parquet file, then (unless ``--pipelines`` stops before modelling) log
  and scale, K-means and Gaussian-mixture sweeps k=2..10 with ``n_init=1`` on a
  100k fit sample, Ward on 10k, a sampled silhouette, and assigning every customer;
- ``kedro run --pipelines=<pipelines>`` on the same file.

Each is reported with its wall time, its processor time (user + system, of the
process and the children it waited for) and peak resident memory of the whole
process tree (sampled from /proc), and the ratio of the two wall times. On a
machine shared with other jobs, compare processor times: waiting for a core
inflates wall times, not processor times. With ``--per-node`` it also prints the
breakdown the project's node timing hook logs (one line per node: wall time from
first input load to last output save, split into load, run and save, the
process memory after the node and the processor time over the node).

Usage (from the project root)::

    python scripts/benchmark_pipeline.py --customers 100000 1000000
    python scripts/benchmark_pipeline.py --customers 1000000 \
        --pipelines data_processing,feature_engineering --per-node
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmark_support import (
    ENVIRONMENT,
    PROJECT_ROOT,
    cached_sample,
    children_processor_seconds,
    copy_configuration,
    say,
)

from customer_segmentation.node_timing import parse_node_timings

MODEL_PIPELINES = {"modeling", "reporting", "__default__"}
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# Plain log lines (no wrapping), so the node timing lines can be parsed.
LOGGING_CONFIG = """\
version: 1
disable_existing_loggers: false
formatters:
  plain: {format: "%(asctime)s %(levelname)s %(name)s: %(message)s"}
handlers:
  console: {class: logging.StreamHandler, formatter: plain, stream: ext://sys.stderr}
loggers:
  kedro: {level: INFO}
  customer_segmentation: {level: INFO}
root: {handlers: [console], level: WARNING}
"""


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
        except OSError:
            continue
        pending.extend(children.get(pid, []))
    return total


def run_measured(
    command: list[str], cwd: Path, environment: dict[str, str] | None = None
) -> tuple[float, float, str, float]:
    """Runs a command; returns its wall seconds, the peak RSS (GiB) of its tree, its log and processor seconds."""
    processor_before = children_processor_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment or ENVIRONMENT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    processor_seconds = children_processor_seconds() - processor_before
    done.set()
    sampler.join()
    if process.returncode:
        say(stderr.decode()[-4000:])
        raise RuntimeError(f"{' '.join(command)} failed with code {process.returncode}")
    return seconds, peak / 1024**3, stderr.decode(), processor_seconds


def temporary_project(data: Path, target: Path) -> None:
    """Copies the configuration into ``target`` with the sample as its raw data."""
    copy_configuration(target)
    for folder in sorted((PROJECT_ROOT / "data").glob("0*")):
        (target / "data" / folder.name).mkdir(parents=True)
    for name in ("transactions.parquet", "customers.csv"):
        os.symlink(data / name, target / "data" / "01_raw" / name)
    (target / "conf" / "logging.yml").write_text(LOGGING_CONFIG)


def print_node_timings(
    log_text: str, total_seconds: float, total_processor_seconds: float | None = None
) -> None:
    """Prints the per-node breakdown of a run, slowest first, from its log."""
    timings = parse_node_timings(log_text)
    if not timings:
        say("  (no node timing lines in the log)")
        return
    say(
        f"  {'node':<44} {'s':>7} {'load':>6} {'run':>6} {'save':>7} "
        f"{'share':>6} {'RSS GiB':>8} {'peak GiB':>8} {'cpu s':>7}"
    )
    for row in sorted(timings, key=lambda row: -row["seconds"]):
        say(
            f"  {row['node']:<44} {row['seconds']:>7.1f} {row['load']:>6.1f} "
            f"{row['run']:>6.1f} {row['save']:>7.1f} "
            f"{row['seconds'] / total_seconds:>6.1%} {row['rss_gib']:>8.2f} "
            f"{row['peak_rss_gib']:>8.2f} {row['cpu']:>7.1f}"
        )
    in_nodes = sum(row["seconds"] for row in timings)
    say(
        f"  {'all nodes':<44} {in_nodes:>7.1f}; outside nodes (start-up, hooks): "
        f"{total_seconds - in_nodes:.1f} s"
    )
    if total_processor_seconds is not None:
        cpu_in_nodes = sum(row["cpu"] for row in timings)
        say(
            f"  processor time: {total_processor_seconds:.1f} s, in nodes "
            f"{cpu_in_nodes:.1f} s, outside nodes "
            f"{total_processor_seconds - cpu_in_nodes:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pipelines", default="__default__")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument(
        "--per-node",
        action="store_true",
        help="print the per-node breakdown of each kedro run",
    )
    arguments = parser.parse_args()
    with_models = bool(MODEL_PIPELINES & set(arguments.pipelines.split(",")))
    floor_script = PROJECT_ROOT / "scripts" / "benchmark_floor.py"
    say(f"pipelines: {arguments.pipelines}; floor with models: {with_models}")
    say(
        f"{'customers':>10} {'lines':>12} {'floor s':>8} {'floor GiB':>9} "
        f"{'kedro s':>8} {'kedro GiB':>9} {'ratio':>6} {'floor cpu':>9} {'kedro cpu':>9}"
    )
    for n_customers in arguments.customers:
        data = cached_sample(n_customers, arguments.seed)
        lines = int(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import pyarrow.parquet as p,sys;"
                    "print(p.ParquetFile(sys.argv[1]).metadata.num_rows)",
                    str(data / "transactions.parquet"),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        floor_seconds = floor_gib = floor_processor = float("nan")
        if not arguments.skip_floor:
            command = [
                sys.executable,
                str(floor_script),
                str(data / "transactions.parquet"),
            ]
            if not with_models:
                command.append("--aggregate-only")
            floor_seconds, floor_gib, _, floor_processor = run_measured(
                command, PROJECT_ROOT
            )
        with tempfile.TemporaryDirectory(prefix="pipeline_benchmark_") as temporary:
            project = Path(temporary)
            temporary_project(data, project)
            kedro = [str(Path(sys.executable).with_name("kedro")), "run"]
            logging_config = str(project / "conf" / "logging.yml")
            kedro_seconds, kedro_gib, log_text, kedro_processor = run_measured(
                [*kedro, f"--pipelines={arguments.pipelines}"],
                project,
                {**ENVIRONMENT, "KEDRO_LOGGING_CONFIG": logging_config},
            )
        say(
            f"{n_customers:>10,} {lines:>12,} {floor_seconds:>8.1f} {floor_gib:>9.2f} "
            f"{kedro_seconds:>8.1f} {kedro_gib:>9.2f} {kedro_seconds / floor_seconds:>6.2f}"
            f" {floor_processor:>9.1f} {kedro_processor:>9.1f}"
        )
        if arguments.per_node:
            print_node_timings(log_text, kedro_seconds, kedro_processor)


if __name__ == "__main__":
    main()
