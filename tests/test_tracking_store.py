"""The local MLflow store's SQLite settings, and a run without tracking that never imports MLflow."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from customer_segmentation.tracking.sqlite_store import (
    sqlite_store_file,
    use_store_settings,
)
from tests.project import PROJECT_ROOT


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("sqlite:///mlruns/mlflow.db", Path("mlruns/mlflow.db")),
        ("sqlite:////var/store/mlflow.db", Path("/var/store/mlflow.db")),
        ("sqlite:///mlruns/mlflow.db?timeout=20", Path("mlruns/mlflow.db")),
        ("sqlite:///:memory:", None),
        ("http://127.0.0.1:5000", None),
        ("postgresql://user@host/mlflow", None),
        (None, None),
    ],
)
def test_store_file_of_a_tracking_uri(uri, path):
    assert sqlite_store_file(uri) == path


def _journal_and_sync(database: Path) -> tuple[str, int]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
            sync = connection.execute(text("PRAGMA synchronous")).scalar()
    finally:
        engine.dispose()
    return mode, sync


def test_store_connections_use_a_write_ahead_log_synced_at_checkpoints(tmp_path):
    store = tmp_path / "mlruns" / "mlflow.db"
    store.parent.mkdir()
    use_store_settings(store)

    mode, sync = _journal_and_sync(store)

    assert (mode, sync) == ("wal", 1)  # synchronous: 1 NORMAL, 2 FULL
    # The journal mode is kept in the file, for every later reader and writer.
    with sqlite3.connect(store) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_other_sqlite_databases_are_left_alone(tmp_path):
    use_store_settings(tmp_path / "mlflow.db")

    assert _journal_and_sync(tmp_path / "other.db") == ("delete", 2)


def test_an_untracked_run_never_imports_mlflow(tmp_path):
    # Settings import every hook; with the switch off the tracking hook must
    # not pull MLflow in (about 1.5 s of start-up) nor open a store.
    script = (
        "import sys\n"
        "from types import SimpleNamespace\n"
        "from customer_segmentation.tracking import ExperimentTrackingHooks\n"
        "ExperimentTrackingHooks().after_context_created(SimpleNamespace())\n"
        "print(sorted(m for m in ('mlflow', 'kedro_mlflow', 'sqlalchemy') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={
            **os.environ,
            "CUSTOMER_SEGMENTATION_TRACKING": "off",
            "PYTHONPATH": str(PROJECT_ROOT / "src"),
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"
    assert not (tmp_path / "mlruns").exists()
