"""Shared fixtures: a copy of the project to run Kedro in."""

from __future__ import annotations

import importlib
import os
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
    # point, and MLflow's type-hint warning on that import overrides every filter
    # (the one listed included). The tracking hook imports kedro-mlflow where that
    # warning is dropped: importing it first keeps the warning out of the first
    # test that opens a session.
    importlib.import_module("customer_segmentation.tracking.batched_hook")


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the project with the built-in sample; the test runs inside it."""
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    yield root
    close_ibis_connections()
