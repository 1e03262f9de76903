"""Times a 10-line transaction request in process: the scoring thread's processor time, by part.

Prints numbers; it asserts nothing. The service is loaded as the server loads it
(same logging, ``gc.freeze``), then each request is parsed, scored and its answer
written on this thread, as a scoring thread of the server does, and timed with
``time.thread_time`` (this thread's processor time, DuckDB's work included: a
scoring connection runs one engine thread, the caller's). Processor time depends
far less than wall time on what else runs on a shared machine. The requests are
the 64 different sets of 10 lines of ``benchmark_api.py``, in turn, after a
warm-up in which every query is compiled and prepared once.

With ``--per-part`` the engine statements (by their first words) and the nodes
(each including its own statements) are timed too; the timing adds a little to
each request. With ``--engine-time`` the request's time is split in two: inside
calls to the DuckDB connection (statements, reading their rows as Arrow, holding
tables as values) and outside them (the node code's pandas, scikit-learn, Ibis
and pyarrow, parsing and writing the answer): what a request would still cost
with an engine that took no time.

Usage (from the project root, after ``kedro run`` has published a model bundle)::

    python scripts/benchmark_api_request.py --project-path <trained project>
    python scripts/benchmark_api_request.py --per-part
    python scripts/benchmark_api_request.py --engine-time

Run the code before a change with ``PYTHONPATH`` on its ``src/`` to compare.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from benchmark_api import transactions_payload
from benchmark_support import PROJECT_ROOT, say

from customer_segmentation.api import memo
from customer_segmentation.api.__main__ import configure_server_logging
from customer_segmentation.api.app import request_model, score_transactions
from customer_segmentation.api.parsing import BodyParser
from customer_segmentation.api.service import ScoringService, load_scoring_service
from customer_segmentation.api.statements import PreparingConnection

REFERENCE_DATE = "2026-01-01T00:00:00"
Timings = dict[str, list[float]]


class _TimedConnection:
    """Stands for the DuckDB connection under a scoring connection; times each statement.

    It sits under the ``PreparingConnection``, so the statements are timed as
    the server runs them (a shared table created from its query's view, a
    query from its prepared statement), each named by the query it runs.
    """

    def __init__(self, preparing: PreparingConnection, timings: Timings) -> None:
        self._preparing = preparing
        self._connection = preparing._connection
        self._timings = timings

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return self._timed(self._connection.execute, sql, *args, **kwargs)

    def _submit(self, sql: str, *args: Any) -> Any:
        return self._timed(self._connection._submit, sql, *args)

    def _timed(
        self, run: Callable[..., Any], sql: str, *args: Any, **kwargs: Any
    ) -> Any:
        started = time.thread_time()
        result = run(sql, *args, **kwargs)
        seconds = time.thread_time() - started
        name = sql.removeprefix("EXECUTE ").split("(")[0]
        query = self._preparing.query(name)
        if query is not None and "(" in sql:  # held tables read from variables
            query = "(held) " + query[query.index(" SELECT ") :]
        label = " ".join((query or sql)[:64].split())
        self._timings[label].append(seconds)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


class _EngineClock:
    """Stands for a DuckDB connection; adds the processor time of each call to ``seconds``."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._connection, name)
        if not callable(attribute):
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.seconds += time.thread_time() - started

        return timed


def _time_nodes(timings: Timings) -> None:
    run = memo.NodeMemo.run

    def timed(self: memo.NodeMemo, node: Any, inputs: dict[str, Any]) -> Any:
        started = time.thread_time()
        try:
            return run(self, node, inputs)
        finally:
            timings[node.name].append(time.thread_time() - started)

    memo.NodeMemo.run = timed


def _print_parts(title: str, timings: Timings, n_requests: int) -> None:
    say(f"\n{title} (ms per request: median of a call x calls per request)")
    ordered = sorted(timings.items(), key=lambda item: -sum(item[1]))
    for name, seconds in ordered:
        per_request = len(seconds) / n_requests
        say(f"{np.median(seconds) * 1000:8.2f} x{per_request:4.1f}  {name}")
    total = sum(sum(seconds) for seconds in timings.values()) / n_requests
    say(f"{total * 1000:8.2f}        total")


def request_work(service: ScoringService, body: bytes) -> Callable[[], bytes]:
    """What a scoring thread does for one transaction request: parse, score, answer."""
    parser = BodyParser(request_model(service))

    def work() -> bytes:
        content, _ = score_transactions(service, parser.parse(body))
        return content

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-path", type=Path, default=PROJECT_ROOT)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--per-part", action="store_true")
    parser.add_argument("--engine-time", action="store_true")
    arguments = parser.parse_args()
    project = arguments.project_path.resolve()
    os.chdir(project)
    service = load_scoring_service(project)
    configure_server_logging("WARNING")
    gc.freeze()
    requests = [
        request_work(
            service,
            json.dumps(
                transactions_payload(10, seed) | {"reference_date": REFERENCE_DATE}
            ).encode(),
        )
        for seed in range(100, 164)
    ]
    for index in range(arguments.warm_up):
        requests[index % len(requests)]()
    statements: Timings = collections.defaultdict(list)
    nodes: Timings = collections.defaultdict(list)
    preparing = service.engines.current().con
    if arguments.per_part:
        preparing._connection = _TimedConnection(preparing, statements)
        _time_nodes(nodes)
    clock = None
    if arguments.engine_time:
        clock = _EngineClock(preparing._connection)
        preparing._connection = preparing._held._connection = clock
    seconds, in_engine = [], []
    for index in range(arguments.requests):
        work = requests[(arguments.warm_up + index) % len(requests)]
        if clock is not None:
            clock.seconds = 0.0
        started = time.thread_time()
        work()
        seconds.append(time.thread_time() - started)
        in_engine.append(clock.seconds if clock is not None else 0.0)
    p10, p50, p90 = np.percentile(np.array(seconds) * 1000, [10, 50, 90])
    say(
        f"10-line transaction request, processor time of the scoring thread "
        f"({arguments.requests} requests, load average {os.getloadavg()[0]:.1f}): "
        f"p50 {p50:.1f} ms (p10 {p10:.1f}, p90 {p90:.1f})"
    )
    if clock is not None:
        outside = (np.array(seconds) - np.array(in_engine)) * 1000
        say(
            f"  inside DuckDB calls: p50 {np.median(in_engine) * 1000:.1f} ms; "
            f"outside them: p50 {np.median(outside):.1f} ms (p10 "
            f"{np.percentile(outside, 10):.1f}, p90 {np.percentile(outside, 90):.1f})"
        )
    if arguments.per_part:
        _print_parts("engine statements", statements, arguments.requests)
        _print_parts("nodes, each with its statements", nodes, arguments.requests)


if __name__ == "__main__":
    main()
