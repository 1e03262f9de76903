"""Times `kedro run` in fresh projects: in nodes and outside them, phase by phase.

Prints numbers; it asserts nothing. Each run is ``kedro run --pipelines=<pipelines>``
in a new temporary copy of the project configuration, reading ``data/01_raw/`` (the
built-in sample) or the sample folder given with ``--data`` (e.g. the benchmark's
``build/benchmark/sample_100000_seed11``), so every run starts a new MLflow store, as
a benchmark run does. Each log line is stamped when it arrives, which splits the
run's wall time into:

- start-up: from the start of the process to the first node's first input load;
- in nodes: the node timing hook's lines (first input load to last output save);
- between nodes: the gaps between one node's last save and the next one's first load;
- after the last node: until the last log line (the hooks after the run: the
  bundle's publication and the MLflow records, which log a line each);
- shutdown: from the last log line to the end of the process (the interpreter's
  exit; with a pipeline that publishes no bundle, the hooks after the run too).

It prints each one, the processor time in and outside the nodes, and the load
average. On a shared machine run it a few times, alternating the code compared::

    python scripts/benchmark_outside_nodes.py --pipelines data_processing --runs 5
    python scripts/benchmark_outside_nodes.py --pipelines __default__ \
        --data build/benchmark/sample_100000_seed11 --runs 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark_pipeline import temporary_project
from benchmark_support import (
    ENVIRONMENT,
    PROJECT_ROOT,
    children_processor_seconds,
    say,
)

from customer_segmentation.node_timing import NODE_TIMING_PATTERN

COLUMNS = (
    "wall s",
    "start-up",
    "in nodes",
    "between",
    "after",
    "shutdown",
    "cpu s",
    "cpu in",
    "cpu out",
    "load",
)


def run_stamped(
    command: list[str], cwd: Path, environment: dict[str, str]
) -> tuple[float, float, list[tuple[float, str]]]:
    """Runs a command; returns its wall and processor seconds and its stderr lines, each with its arrival time."""
    processor = children_processor_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = [
        (time.perf_counter() - started, line.rstrip("\n")) for line in process.stderr
    ]
    process.wait()
    seconds = time.perf_counter() - started
    processor = children_processor_seconds() - processor
    if process.returncode:
        say("\n".join(line for _, line in lines[-40:]))
        raise RuntimeError(f"{' '.join(command)} failed with code {process.returncode}")
    return seconds, processor, lines


def phases(
    seconds: float, processor: float, lines: list[tuple[float, str]]
) -> dict[str, float]:
    """Splits a run's wall time into the phases of the module docstring."""
    nodes = [
        (arrived - float(match["seconds"]), arrived, float(match["cpu"] or "nan"))
        for arrived, line in lines
        if (match := NODE_TIMING_PATTERN.search(line))
    ]
    if not nodes:
        raise RuntimeError("no node timing lines in the log of the run")
    last_line = lines[-1][0]
    cpu_in = sum(cpu for _, _, cpu in nodes)
    return {
        "wall s": seconds,
        "start-up": nodes[0][0],
        "in nodes": sum(end - start for start, end, _ in nodes),
        "between": sum(
            max(0.0, start - end)
            for (_, end, _), (start, _, _) in zip(nodes, nodes[1:], strict=False)
        ),
        "after": last_line - nodes[-1][1],
        "shutdown": seconds - last_line,
        "cpu s": processor,
        "cpu in": cpu_in,
        "cpu out": processor - cpu_in,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", default="data_processing")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--data",
        type=Path,
        default=PROJECT_ROOT / "data" / "01_raw",
        help="folder with transactions.parquet and customers.csv",
    )
    arguments = parser.parse_args()
    kedro = str(Path(sys.executable).with_name("kedro"))
    say(f"{'pipelines':<16} " + " ".join(f"{name:>8}" for name in COLUMNS))
    for _ in range(arguments.runs):
        with tempfile.TemporaryDirectory(prefix="outside_nodes_") as temporary:
            project = Path(temporary)
            temporary_project(arguments.data.resolve(), project)
            seconds, processor, lines = run_stamped(
                [kedro, "run", f"--pipelines={arguments.pipelines}"],
                project,
                {
                    **ENVIRONMENT,
                    "KEDRO_LOGGING_CONFIG": str(project / "conf" / "logging.yml"),
                },
            )
        row = phases(seconds, processor, lines)
        say(
            f"{arguments.pipelines:<16} "
            + " ".join(f"{row[name]:>8.2f}" for name in COLUMNS)
        )


if __name__ == "__main__":
    main()
