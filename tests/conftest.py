"""Shared fixtures: a copy of the project to run Kedro in."""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from customer_segmentation.output_filters import THIRD_PARTY_WARNINGS
from tests.engines import engine, spark_connection  # noqa: F401
from tests.project import close_ibis_connections, copy_project

# Session fixtures of finished runs, shared by the report, notebook and kedro-viz tests.
pytest_plugins = ["tests.finished_project"]

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Runs are not tracked unless a test asks for it (then in its own temporary store).
os.environ.setdefault("CUSTOMER_SEGMENTATION_TRACKING", "off")


def pytest_configure(config: pytest.Config) -> None:
    """Ignores the third-party warnings the project filters, from its one list.

    pytest puts its own filters (``filterwarnings`` in pyproject.toml) in front
    of the process's, so the list is added to them here rather than repeated.
    """
    for action, message, category, module, _why in THIRD_PARTY_WARNINGS:
        config.addinivalue_line(
            "filterwarnings", f"{action}:{message}:{category.__name__}:{module}"
        )
    # Every Kedro session imports kedro-mlflow's hooks through its plugin entry
    # point. Defining its KedroPipelineModel makes MLflow warn about type hints
    # under its own ``simplefilter("once", UserWarning)``, which overrides every
    # filter, the one listed included. Importing it here, where the warning is
    # recorded and dropped, keeps it out of the first test that opens a session.
    with warnings.catch_warnings(record=True):
        importlib.import_module("kedro_mlflow.framework.hooks")


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the project with the built-in sample; the test runs inside it."""
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    yield root
    close_ibis_connections()
