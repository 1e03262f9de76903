"""Fixtures of the API tests: a real uvicorn server on a free loopback port."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.pipelines.inference.project import TrainedProject, trained_project

STARTUP_SECONDS = 60


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    """The project copy, trained and batch-scored on the built-in sample."""
    return trained_project(tmp_path_factory.getbasetemp() / "trained_project")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {STARTUP_SECONDS}s")


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """File the API server writes its log (access lines included) to."""
    return tmp_path_factory.mktemp("api_log") / "server.log"


@pytest.fixture(scope="session")
def base_url(project: TrainedProject, server_log: Path) -> Iterator[str]:
    """Starts ``python -m customer_segmentation.api`` on the project copy."""
    port = free_port()
    log = server_log.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "customer_segmentation.api",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--project-path",
            str(project.path),
            "--log-level",
            "info",
        ],
        cwd=project.path,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client bound to the running server."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        yield http
