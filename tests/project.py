"""Helpers for tests that run the real project: copies, Kedro sessions, shared data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro_datasets._utils.connection_mixin import ConnectionMixin

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
# kedro-viz layers (the data engineering convention), in the order data flows.
LAYER_ORDER = (
    "raw",
    "intermediate",
    "primary",
    "feature",
    "model_input",
    "models",
    "model_output",
    "reporting",
)
DATA_LAYERS = (
    "01_raw",
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
)


def copy_project(destination: Path) -> Path:
    """Copies what `kedro run` needs (config, raw sample, project metadata) to a folder.

    Args:
        destination: Empty folder to copy into.

    Returns:
        The project root of the copy; its data folders hold only the raw sample.
    """
    shutil.copy(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    # Kedro wants a source folder; the package itself is imported from the install.
    (destination / "src").mkdir()
    shutil.copytree(
        PROJECT_ROOT / "conf",
        destination / "conf",
        ignore=shutil.ignore_patterns("local"),
    )
    (destination / "conf" / "local").mkdir()
    for layer in DATA_LAYERS:
        (destination / "data" / layer).mkdir(parents=True)
    for name in ("transactions.parquet", "customers.csv", "sample_truth.csv"):
        shutil.copy(
            PROJECT_ROOT / "data" / "01_raw" / name, destination / "data" / "01_raw"
        )
    return destination


def shared_dataset(*parts: str) -> Path:
    """Path of a real public dataset in ../shared/data, or skips the test when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real dataset not available: {path} (../shared is absent)")
    return path


def run_project(
    project_path: Path,
    pipeline_names: list[str] | None = None,
    env: str | None = None,
    runtime_params: dict[str, Any] | None = None,
    **run_kwargs: Any,
) -> dict[str, Any]:
    """Runs pipelines of a project copy through a real KedroSession.

    The catalog's relative paths resolve against the working directory, so the
    caller must be inside ``project_path`` (the ``project_copy`` fixture is).
    """
    bootstrap_project(project_path)
    try:
        with KedroSession.create(
            project_path=project_path, env=env, runtime_params=runtime_params
        ) as session:
            return session.run(pipeline_names=pipeline_names, **run_kwargs)
    finally:
        close_ibis_connections()


def close_ibis_connections() -> None:
    """Closes the database connections kedro-datasets caches for the whole process.

    The cache is keyed by the connection settings, where the DuckDB path is
    relative: without this, a run in another project copy would reuse the
    connection to the previous copy's database file.
    """
    for connection in ConnectionMixin._connections.values():
        if connection.name != "pyspark":  # the Spark session outlives its datasets
            connection.disconnect()
    ConnectionMixin._connections.clear()
