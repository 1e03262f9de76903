"""Benchmarks scoring: API latency and throughput on loopback, and batch scoring size.

Prints numbers; it asserts nothing. Every API figure of the scoring endpoint is
printed next to the same figure for ``GET /health`` (a trivial endpoint of the same
server) measured in the same run, so the ratio does not depend on the machine.
The API part reports: sequential p50/p99 of /health, a 1-customer feature request
and a 10-line transaction request (64 different sets of 10 lines, in turn, so no
request repeats the one before) with the server's processor time per such
request (Linux); throughput of 10-line requests with 8 clients;
/health latency while one maximum-size transaction request is scored; and, with
``--without-customer-value``, the same figures from a server without value models.

Usage (from the project root, after ``kedro run`` has saved a model)::

    python scripts/benchmark_api.py                       # API only
    python scripts/benchmark_api.py --without-customer-value
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
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
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
    say,
)

# The published model bundles of the default environment (LATEST and versions).
MODEL_FOLDER = Path("data/06_models/model_bundle")
HTTP_OK = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(project: Path, port: int, processes: int) -> subprocess.Popen:
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
            "--processes",
            str(processes),
        ],
        cwd=project,
        env=ENVIRONMENT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == HTTP_OK:
                # The other processes load the model at the same time; each
                # takes connections once loaded, so wait a little for them.
                time.sleep(5 if processes > 1 else 0)
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the API did not start within 120 s")


def server_processes(pid: int) -> list[int]:
    """The server process and all its descendants (Linux; [pid] elsewhere)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(
                    int(child) for child in (task / "children").read_text().split()
                )
            except OSError:
                continue
    return found


def server_cpu_seconds(pid: int) -> float | None:
    """Processor time (user + system, all threads) the server processes used; None off Linux."""
    total = 0.0
    for process in server_processes(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            if process == pid:
                return None
            continue
        # Fields 14 and 15 of stat (utime, stime), counted after the command name.
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def server_memory_mib(pid: int) -> float | None:
    """Resident memory of the server processes together (MiB); None off Linux."""
    total = 0
    for process in server_processes(pid):
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        total += next(
            (
                int(line.split()[1])
                for line in status.splitlines()
                if line.startswith("VmRSS:")
            ),
            0,
        )
    return total / 1024 if total else None


def stop_server(server: subprocess.Popen) -> None:
    os.kill(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def customers_payload(n_customers: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "customers": [
            {
                "customer_id": f"c{index}",
                "recency_days": int(rng.integers(1, 700)),
                "frequency": int(rng.integers(1, 40)),
                "monetary": float(rng.lognormal(6, 1.2)),
            }
            for index in range(n_customers)
        ]
    }


def transactions_payload(n_lines: int, seed: int) -> dict:
    """Lines of ``n_lines // 4 + 1`` customers over 2025, about 4 lines each."""
    rng = np.random.default_rng(seed)
    # One day per invoice (two lines each): an invoice id is one purchase.
    days = rng.integers(0, 330, n_lines // 2 + 1).repeat(2)[:n_lines]
    return {
        "transactions": [
            {
                "customer_id": f"c{index // 4}",
                "invoice_id": str(100_000 + index // 2),
                "invoice_date": (
                    pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(day), hours=10)
                ).isoformat(),
                "product_id": f"P{int(rng.integers(1, 500))}",
                "quantity": int(rng.integers(1, 12)),
                "unit_price": round(float(rng.lognormal(1.5, 0.8)), 2),
                "country": "United Kingdom",
            }
            for index, day in enumerate(days)
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
    bodies: list[dict] | None,
    *,
    n: int,
    concurrency: int,
    warm_up_rounds: int = 1,
) -> float:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=120
    ) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            body = None if bodies is None else bodies[index % len(bodies)]
            async with gate:
                response = await client.request(method, path, json=body)
                response.raise_for_status()

        for _ in range(warm_up_rounds):  # every connection of every process warm
            await asyncio.gather(*(one(index) for index in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(one(index) for index in range(n)))
        return n / (time.perf_counter() - started)


def health_during(base_url: str, body: dict) -> tuple[np.ndarray, float, int]:
    """Polls /health every 20 ms while one large request is scored.

    Returns:
        /health latencies (ms) while the large request was in flight, its own
        time (s) and status code.
    """
    content = json.dumps(body).encode()
    answer: dict = {}

    def large() -> None:
        started = time.perf_counter()
        response = httpx.post(
            f"{base_url}/v1/segments",
            content=content,
            headers={"content-type": "application/json"},
            timeout=600,
        )
        answer.update(
            seconds=time.perf_counter() - started, status=response.status_code
        )

    thread = threading.Thread(target=large)
    seconds = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        thread.start()
        while thread.is_alive():
            started = time.perf_counter()
            client.get("/health").raise_for_status()
            seconds.append(time.perf_counter() - started)
            time.sleep(0.02)
    thread.join()
    return np.array(seconds) * 1000, answer["seconds"], answer["status"]


def project_without_customer_value(project: Path, target: Path) -> Path:
    """A copy of the project's configuration and model bundle, without value models."""
    copy_configuration(target)
    for layer in ("02_intermediate", "06_models"):
        (target / "data" / layer).mkdir(parents=True)
    shutil.copytree(project / MODEL_FOLDER, target / MODEL_FOLDER)
    return target


def print_latencies(title: str, rows: dict[str, np.ndarray]) -> None:
    say(f"\n{title}")
    say(f"{'request':<46}{'p50 ms':>10}{'p99 ms':>10}")
    for name, values in rows.items():
        p50, p99 = np.percentile(values, [50, 99])
        say(f"{name:<46}{p50:>10.2f}{p99:>10.2f}")


def benchmark_server(
    project: Path, label: str, arguments: argparse.Namespace, *, large: bool
) -> None:
    port = free_port()
    server = start_server(project, port, arguments.processes)
    base_url = f"http://127.0.0.1:{port}"
    one = customers_payload(1, seed=1)
    # Different lines in every request of a round, so no answer can be reused.
    ten_lines = [transactions_payload(10, seed=seed) for seed in range(100, 164)]
    lines_of = itertools.cycle(ten_lines)
    try:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            limits = client.get("/v1/model").json()
            # Warm-up: every query compiled and prepared once on every connection.
            for _ in range(20 * arguments.processes):
                client.post("/v1/segments", json=next(lines_of)).raise_for_status()
                client.post("/v1/segments", json=one).raise_for_status()
            rows = {
                "GET /health": latencies(
                    lambda: client.get("/health"), arguments.requests
                ),
                "POST /v1/segments, 1 customer (features)": latencies(
                    lambda: client.post("/v1/segments", json=one), arguments.requests
                ),
            }
            cpu_before = server_cpu_seconds(server.pid)
            rows["POST /v1/segments, 10 transaction lines"] = latencies(
                lambda: client.post("/v1/segments", json=next(lines_of)),
                arguments.requests,
            )
            cpu_after = server_cpu_seconds(server.pid)
        print_latencies(
            f"[{label}] latency, sequential requests on loopback "
            f"({arguments.requests} each)",
            rows,
        )
        if cpu_before is not None and cpu_after is not None:
            say(
                "server processor time per 10-line request (user + system, "
                f"all threads): {(cpu_after - cpu_before) / arguments.requests * 1000:.1f} ms"
            )
        memory = server_memory_mib(server.pid)
        if memory is not None:
            say(
                f"server resident memory ({arguments.processes} process(es) and "
                f"their helpers): {memory:.0f} MiB"
            )
        # Alternating rounds, so load from other processes hits both endpoints.
        rates: dict[str, list[float]] = {"health": [], "lines": []}
        for _ in range(arguments.rounds):
            for name, method, path, body in (
                ("health", "GET", "/health", None),
                ("lines", "POST", "/v1/segments", ten_lines),
            ):
                rates[name].append(
                    asyncio.run(
                        throughput(
                            base_url,
                            method,
                            path,
                            body,
                            n=arguments.load_requests,
                            concurrency=arguments.concurrency,
                            warm_up_rounds=arguments.processes,
                        )
                    )
                )
        say(
            f"\n[{label}] throughput, {arguments.load_requests} requests per round, "
            f"{arguments.concurrency} clients, median of {arguments.rounds} "
            "alternating rounds"
        )
        say(
            f"GET /health                          {np.median(rates['health']):>8.1f} req/s"
        )
        say(
            f"POST /v1/segments, 10 lines         {np.median(rates['lines']):>8.1f} req/s"
            f"  (per round: {np.round(rates['lines'], 1).tolist()}; target >= 50)"
        )
        if large:
            n_lines = limits["max_transactions"]
            health, seconds, status = health_during(
                base_url, transactions_payload(n_lines, seed=4)
            )
            say(
                f"\n[{label}] GET /health while one {n_lines:,}-line request is "
                f"scored ({seconds:.1f} s, status {status}): {len(health)} calls, "
                f"p50 {np.percentile(health, 50):.1f} ms, "
                f"max {health.max():.1f} ms (target <= 100)"
            )
    finally:
        stop_server(server)


def benchmark_api(project: Path, arguments: argparse.Namespace) -> None:
    benchmark_server(project, "with customer value", arguments, large=True)
    if arguments.without_customer_value:
        with tempfile.TemporaryDirectory(prefix="api_benchmark_") as temporary:
            copy = project_without_customer_value(project, Path(temporary))
            benchmark_server(copy, "without customer value", arguments, large=False)


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
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--load-requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--without-customer-value",
        action="store_true",
        help="also measure a server without value models (no BG/NBD prediction)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--processes", type=int, default=1, help="server processes (--processes)"
    )
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
