"""Fixtures of the end-to-end tests (report, notebooks, kedro-viz): finished runs on project copies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project import PROJECT_ROOT, copy_project, shared_dataset

KEDRO = Path(sys.executable).with_name("kedro")


def _kedro(project: Path, *arguments: str, tracking: str = "off") -> None:
    environment = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "1",
        "CUSTOMER_SEGMENTATION_TRACKING": tracking,
    }
    completed = subprocess.run(  # noqa: S603
        [str(KEDRO), *arguments],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"kedro {' '.join(arguments)} failed in {project}:\n{completed.stderr[-4000:]}"
        )


@pytest.fixture(scope="session")
def finished_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies the project (conf, sample data, notebooks) and runs it twice.

    The first ``kedro run`` runs every pipeline, tracked in the copy's own MLflow
    store (``mlruns/``); the second runs ``reporting`` only, untracked, so the
    report and plots also show a migration matrix against the first run.
    The package itself is the installed one; ``src`` is not copied.

    Returns:
        The root of the copy, with every output under ``data/``.
    """
    project = copy_project(tmp_path_factory.mktemp("project"))
    shutil.copytree(PROJECT_ROOT / "notebooks", project / "notebooks")
    _kedro(project, "run", tracking="on")
    _kedro(project, "run", "--pipelines=reporting")
    return project


@pytest.fixture(scope="session")
def finished_mall_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Runs the attribute-only ``mall_customers`` environment on a copy of the project.

    The public Mall Customers file is linked from ../shared (skipped when absent),
    never copied into the repository.

    Returns:
        The root of the copy, with every output under ``data/``.
    """
    source = shared_dataset("mall_customers", "Mall_Customers.csv")
    project = copy_project(tmp_path_factory.mktemp("mall_project"))
    (project / "data" / "01_raw" / source.name).symlink_to(source)
    _kedro(project, "run", "--env=mall_customers")
    return project


@pytest.fixture(scope="session")
def kedro_runner():
    """Gives tests the helper that runs a ``kedro`` command in a project."""
    return _kedro
