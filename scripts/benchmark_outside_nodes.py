"""Times `kedro run` on the built-in sample in fresh projects: in nodes and outside them.

Prints numbers; it asserts nothing. Each run is ``kedro run --pipelines=<pipelines>``
in a new temporary copy of the project configuration reading ``data/01_raw/``, so
every run creates its MLflow store, as a benchmark run does. It prints the wall
and processor time of the run, the part of each spent in the nodes (from the node
timing hook's lines) and outside them (start-up, hooks, shutdown), and the load
average. On a shared machine run it a few times, alternating the code compared::

    python scripts/benchmark_outside_nodes.py --pipelines data_processing --runs 5
    CUSTOMER_SEGMENTATION_TRACKING=off python scripts/benchmark_outside_nodes.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmark_pipeline import run_measured, say, temporary_project
from benchmark_support import ENVIRONMENT, PROJECT_ROOT

from customer_segmentation.node_timing import parse_node_timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", default="data_processing")
    parser.add_argument("--runs", type=int, default=1)
    arguments = parser.parse_args()
    kedro = str(Path(sys.executable).with_name("kedro"))
    say(
        f"{'pipelines':<16} {'wall s':>7} {'in nodes':>8} {'outside':>8} "
        f"{'cpu s':>7} {'in nodes':>8} {'outside':>8} {'load':>5}"
    )
    for _ in range(arguments.runs):
        with tempfile.TemporaryDirectory(prefix="outside_nodes_") as temporary:
            project = Path(temporary)
            temporary_project(PROJECT_ROOT / "data" / "01_raw", project)
            seconds, _, log_text, processor = run_measured(
                [kedro, "run", f"--pipelines={arguments.pipelines}"],
                project,
                {
                    **ENVIRONMENT,
                    "KEDRO_LOGGING_CONFIG": str(project / "conf" / "logging.yml"),
                },
            )
        timings = parse_node_timings(log_text)
        in_nodes = sum(row["seconds"] for row in timings)
        cpu_in_nodes = sum(row["cpu"] for row in timings)
        say(
            f"{arguments.pipelines:<16} {seconds:>7.2f} {in_nodes:>8.2f} "
            f"{seconds - in_nodes:>8.2f} {processor:>7.2f} {cpu_in_nodes:>8.2f} "
            f"{processor - cpu_in_nodes:>8.2f} {os.getloadavg()[0]:>5.2f}"
        )


if __name__ == "__main__":
    main()
