"""Shared fixtures: a copy of the project to run Kedro in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engines import engine, spark_connection  # noqa: F401
from tests.project import close_ibis_connections, copy_project

os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the project with the built-in sample; the test runs inside it."""
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    yield root
    close_ibis_connections()
