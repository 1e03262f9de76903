"""A Kedro hook that logs each node's wall and processor time and the process memory, one line per node.

The line is meant to be read by people and by ``scripts/benchmark_pipeline.py``,
which parses it with :data:`NODE_TIMING_PATTERN` into a per-node breakdown::

    node_timing node=flag_transactions_node seconds=12.345 load=0.010 run=0.200
    save=12.135 rss_gib=1.234 peak_rss_gib=2.345 cpu=20.123

(on one line). ``cpu`` is the processor time of the whole process over the
node (every thread, DuckDB's included), which other jobs on a shared machine
do not inflate as they do the wall time.
"""

from __future__ import annotations

import logging
import re
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.pipeline import Node

logger = logging.getLogger(__name__)

NODE_TIMING_FORMAT = (
    "node_timing node=%s seconds=%.3f load=%.3f run=%.3f save=%.3f "
    "rss_gib=%.3f peak_rss_gib=%.3f cpu=%.3f"
)
NODE_TIMING_PATTERN = re.compile(
    r"node_timing node=(?P<node>\S+) seconds=(?P<seconds>[\d.]+) "
    r"load=(?P<load>[\d.]+) run=(?P<run>[\d.]+) save=(?P<save>[\d.]+) "
    r"rss_gib=(?P<rss_gib>[\d.]+) peak_rss_gib=(?P<peak_rss_gib>[\d.]+)"
    r"(?: cpu=(?P<cpu>[\d.]+))?"
)
TIMING_FIELDS = ("seconds", "load", "run", "save", "rss_gib", "peak_rss_gib", "cpu")
GIB = 1024**3


def resident_bytes() -> int:
    """Resident memory of this process now (Linux ``/proc``; else the peak so far)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return peak_resident_bytes()
    return pages * resource.getpagesize()


def peak_resident_bytes() -> int:
    """Peak resident memory of this process so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class _Clock:
    started: float
    unsaved: set[str]
    processor_started: float
    ran: float | None = None
    loaded: float | None = None


class NodeTimingHooks:
    """Times every node, inputs to outputs, and logs one INFO line per node.

    The line gives the wall time from the first input load to the last output
    save, split into ``load``, ``run`` (the node function) and ``save``, and
    the process memory after the node: resident now and the peak so far, and
    the processor time the process spent over the node.
    Lazy Ibis outputs are computed when saved, so their engine time shows under
    ``save``. Nodes are timed as the sequential runner runs them, one at a
    time. A node that fails is logged too, its line ending in ``failed``.
    """

    def __init__(self) -> None:
        self._clocks: dict[str, _Clock] = {}

    def _clock(self, node: Node) -> _Clock:
        if node.name not in self._clocks:
            self._clocks[node.name] = _Clock(
                time.perf_counter(), set(node.outputs), time.process_time()
            )
        return self._clocks[node.name]

    @hook_impl
    def before_dataset_loaded(self, node: Node) -> None:
        """Starts the node's clock at its first input.

        Args:
            node: The node whose input is loaded.
        """
        self._clock(node)

    @hook_impl
    def before_node_run(self, node: Node) -> None:
        """Starts the clock of a node without inputs; marks the end of loading.

        Args:
            node: The node about to run.
        """
        clock = self._clock(node)
        clock.loaded = time.perf_counter()

    @hook_impl
    def after_node_run(self, node: Node) -> None:
        """Marks the end of the node function; logs a node without outputs.

        Args:
            node: The node that ran.
        """
        clock = self._clock(node)
        clock.ran = time.perf_counter()
        if not clock.unsaved:
            self._log(node, failed=False)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, node: Node) -> None:
        """Logs the node once its last output is saved.

        Args:
            dataset_name: The output just saved.
            node: The node that produced it.
        """
        clock = self._clocks.get(node.name)
        if clock is None:
            return
        clock.unsaved.discard(dataset_name)
        if not clock.unsaved:
            self._log(node, failed=False)

    @hook_impl
    def on_node_error(self, node: Node) -> None:
        """Logs the time a failing node took.

        Args:
            node: The node that failed.
        """
        self._log(node, failed=True)

    def _log(self, node: Node, *, failed: bool) -> None:
        clock = self._clocks.pop(node.name, None)
        if clock is None:
            return
        now = time.perf_counter()
        loaded = clock.loaded if clock.loaded is not None else now
        ran = clock.ran if clock.ran is not None else now
        logger.info(
            NODE_TIMING_FORMAT + (" failed" if failed else ""),
            node.name,
            now - clock.started,
            loaded - clock.started,
            ran - loaded,
            now - ran,
            resident_bytes() / GIB,
            peak_resident_bytes() / GIB,
            time.process_time() - clock.processor_started,
        )


def parse_node_timings(log_text: str) -> list[dict[str, Any]]:
    """Reads the hook's lines out of a run's log, in the order the nodes ran.

    Args:
        log_text: The log of ``kedro run``.

    Returns:
        One dict per node line: ``node`` and the floats of ``TIMING_FIELDS``
        (``cpu`` is ``nan`` in lines written before it was logged).
    """
    return [
        {"node": match["node"]}
        | {
            name: float("nan") if match[name] is None else float(match[name])
            for name in TIMING_FIELDS
        }
        for match in NODE_TIMING_PATTERN.finditer(log_text)
    ]
