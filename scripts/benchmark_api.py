"""Benchmarks scoring: API latency and throughput on loopback, and batch scoring size.

Prints numbers; it asserts nothing. Every API figure of the scoring endpoint is
printed next to the same figure for ``GET /health`` (a trivial endpoint of the same
server) measured in the same run, so the ratio does not depend on the machine.

Usage (from the project root, after ``kedro run`` has saved a model)::

    python scripts/benchmark_api.py                       # API only
    python scripts/benchmark_api.py --batch-customers 1000000

The batch part copies the project configuration and the latest model into a
temporary project, generates the synthetic sample with that many customers as
its new data (cached under build/benchmark/), and times
``kedro run --pipelines=inference`` there, reporting wall time and the peak
resident memory of that process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from benchmark_support import (
    ENVIRONMENT,
    PROJECT_ROOT,
    cached_sample,
    copy_configuration,
)

# The published model bundles of the default environment (LATEST and versions).
MODEL_FOLDER = Path("data/06_models/model_bundle")
HTTP_OK = 200


def say(line: str) -> None:
    """Writes one line of results to standard output."""
    sys.stdout.write(f"{line}\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(project: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "customer_segmentation.api",
            "--port",
            str(port),
            "--project-path",
            str(project),
            "--log-level",
            "warning",
        ],
        cwd=project,
        env=ENVIRONMENT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == HTTP_OK:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the API did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.kill(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def customers_payload(n_customers: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "customers": [
            {
                "customer_id": f"c{index}",
                "recency_days": float(rng.integers(1, 700)),
                "frequency": float(rng.integers(1, 40)),
                "monetary": float(rng.lognormal(6, 1.2)),
            }
            for index in range(n_customers)
        ]
    }


def latencies(call: Callable[[], httpx.Response], n_requests: int) -> np.ndarray:
    seconds = []
    for _ in range(n_requests):
        started = time.perf_counter()
        response = call()
        seconds.append(time.perf_counter() - started)
        response.raise_for_status()
    return np.array(seconds) * 1000


async def throughput(
    base_url: str,
    method: str,
    path: str,
    body: dict | None,
    *,
    n: int,
    concurrency: int,
) -> float:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                response = await client.request(method, path, json=body)
                response.raise_for_status()

        await asyncio.gather(*(one() for _ in range(concurrency)))  # warm-up
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return n / (time.perf_counter() - started)


def benchmark_api(project: Path, arguments: argparse.Namespace) -> None:
    port = free_port()
    server = start_server(project, port)
    base_url = f"http://127.0.0.1:{port}"
    one = customers_payload(1, seed=1)
    thousand = customers_payload(1000, seed=2)
    try:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            for _ in range(20):  # warm-up
                client.post("/v1/segments", json=one)
            rows = {
                "GET /health": latencies(
                    lambda: client.get("/health"), arguments.requests
                ),
                "POST /v1/segments, 1 customer": latencies(
                    lambda: client.post("/v1/segments", json=one), arguments.requests
                ),
                "POST /v1/segments, 1,000 customers": latencies(
                    lambda: client.post("/v1/segments", json=thousand),
                    max(arguments.requests // 10, 20),
                ),
            }
        say(f"\nLatency, sequential requests on loopback ({arguments.requests} each)")
        say(f"{'request':<38}{'p50 ms':>10}{'p99 ms':>10}")
        for name, values in rows.items():
            p50, p99 = np.percentile(values, [50, 99])
            say(f"{name:<38}{p50:>10.2f}{p99:>10.2f}")
        # Alternating rounds, so load from other processes hits both endpoints.
        trivial_rates, scoring_rates = [], []
        for _ in range(arguments.rounds):
            trivial_rates.append(
                asyncio.run(
                    throughput(
                        base_url,
                        "GET",
                        "/health",
                        None,
                        n=arguments.load_requests,
                        concurrency=arguments.concurrency,
                    )
                )
            )
            scoring_rates.append(
                asyncio.run(
                    throughput(
                        base_url,
                        "POST",
                        "/v1/segments",
                        one,
                        n=arguments.load_requests,
                        concurrency=arguments.concurrency,
                    )
                )
            )
        trivial = float(np.median(trivial_rates))
        scoring = float(np.median(scoring_rates))
        ratios = np.array(scoring_rates) / np.array(trivial_rates)
        say(
            f"\nThroughput, {arguments.load_requests} requests per round, "
            f"{arguments.concurrency} in flight, median of {arguments.rounds} "
            "alternating rounds"
        )
        say(f"GET /health                    {trivial:>10.0f} requests/s")
        say(f"POST /v1/segments, 1 customer  {scoring:>10.0f} requests/s")
        say(
            f"scoring / trivial              {scoring / trivial:>10.2f}  "
            f"(target >= 0.5; per round: {np.round(ratios, 2).tolist()})"
        )
    finally:
        stop_server(server)


def benchmark_batch(arguments: argparse.Namespace) -> None:
    data = cached_sample(arguments.batch_customers, arguments.seed)
    with tempfile.TemporaryDirectory(prefix="batch_benchmark_") as temporary:
        project = Path(temporary)
        copy_configuration(project)
        for folder in (
            "01_raw/new",
            "02_intermediate",
            "04_feature",
            "05_model_input",
            "07_model_output",
            "08_reporting",
        ):
            (project / "data" / folder).mkdir(parents=True)
        shutil.copytree(PROJECT_ROOT / MODEL_FOLDER, project / MODEL_FOLDER)
        for name in ("transactions.parquet", "customers.csv"):
            os.symlink(data / name, project / "data/01_raw/new" / name)
        started = time.perf_counter()
        run = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("kedro")),
                "run",
                "--pipelines=inference",
            ],
            cwd=project,
            env=ENVIRONMENT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(run.pid, 0)
        seconds = time.perf_counter() - started
        run.returncode = os.waitstatus_to_exitcode(status)
        if run.returncode:
            say(run.stderr.read().decode()[-3000:])
            raise RuntimeError(f"kedro run failed with code {run.returncode}")
        scored = pd.read_parquet(
            project / "data/07_model_output/scored_customers.parquet"
        )
        lines = pd.read_parquet(data / "transactions.parquet", columns=["invoice_id"])
    say(
        f"\nBatch scoring, kedro run --pipelines=inference: {len(scored):,} customers "
        f"from {len(lines):,} transaction lines"
    )
    say(f"wall time        {seconds:>10.1f} s")
    say(f"peak memory      {usage.ru_maxrss / 1024**2:>10.2f} GiB (max RSS of the run)")
    say(f"statuses         {scored['status'].value_counts().to_dict()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-path", type=Path, default=PROJECT_ROOT)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--load-requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-customers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-api", action="store_true")
    arguments = parser.parse_args()
    say(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if not arguments.skip_api:
        benchmark_api(arguments.project_path.resolve(), arguments)
    if arguments.batch_customers:
        benchmark_batch(arguments)


if __name__ == "__main__":
    main()
