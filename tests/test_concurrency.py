"""Two `kedro run` in one environment at once: the second is refused by name, the first ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.environments import published_version

KEDRO = Path(sys.executable).with_name("kedro")
ENVIRONMENT = {
    **os.environ,
    "KEDRO_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "COLUMNS": "400",  # one line per message in the log
}
STARTUP_SECONDS = 120


def _holder_pid(lock_file: Path) -> int | None:
    try:
        return json.loads(lock_file.read_text()).get("pid")
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def test_a_second_run_is_refused_naming_the_holder_and_its_database(
    project_copy, tmp_path_factory
):
    lock_file = project_copy / "data" / ".run.lock"
    first_log = tmp_path_factory.mktemp("logs") / "first.log"
    with first_log.open("w") as log:
        first = subprocess.Popen(  # noqa: S603
            [str(KEDRO), "run"],
            cwd=project_copy,
            env=ENVIRONMENT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while _holder_pid(lock_file) != first.pid:
            assert first.poll() is None, first_log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.2)

        second = subprocess.run(  # noqa: S603
            [str(KEDRO), "run"],
            cwd=project_copy,
            env=ENVIRONMENT,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        first_still_running = first.poll() is None
        first.wait(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    message = " ".join((second.stdout + second.stderr).split())
    assert second.returncode != 0
    assert "EnvironmentLockedError" in message
    assert "environment 'base' is in use" in message
    assert f"PID {first.pid}" in message
    assert "data/02_intermediate/segmentation.duckdb" in message
    assert "Wait for that run to finish" in message
    assert first_still_running
    assert first.returncode == 0, first_log.read_text()[-3000:]
    assert published_version(project_copy / "data/06_models/model_bundle")
