"""The local MLflow store: its SQLite settings, a new store copied from an empty one, and a run without tracking that never imports MLflow."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from customer_segmentation.tracking import store_template
from customer_segmentation.tracking.sqlite_store import (
    sqlite_store_file,
    use_store_settings,
)
from customer_segmentation.tracking.store_template import (
    start_from_template,
    template_file,
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


def _schema(database: Path) -> tuple[dict[str, list[str]], list[tuple[str]]]:
    with sqlite3.connect(database) as connection:
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        ).fetchall()
        revision = connection.execute("SELECT * FROM alembic_version").fetchall()
    # Line by line, sorted: MLflow writes a table's constraints in an order that
    # differs from one store it creates to the next.
    return {
        name: sorted(line.strip().rstrip(",") for line in sql.splitlines())
        for name, sql in tables
    }, revision


def test_a_new_store_is_a_copy_of_the_empty_store_mlflow_made(tmp_path, monkeypatch):
    import mlflow  # noqa: PLC0415 (the other tests here run without it)

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    made_by_mlflow = tmp_path / "mlflow_made" / "mlflow.db"
    use_store_settings(made_by_mlflow)  # its write-ahead log: fewer waits for the disk
    mlflow.MlflowClient(f"sqlite:///{made_by_mlflow}").get_experiment("0")
    store = Path("mlruns") / "mlflow.db"

    assert start_from_template(store)

    assert (
        template_file().parent
        == tmp_path / "cache" / "customer-segmentation" / "mlflow"
    )
    # MLflow opens the copy as a store of its own: tables, revision, default experiment.
    client = mlflow.MlflowClient(f"sqlite:///{store}")
    assert client.get_experiment("0").artifact_location == str(
        tmp_path / "mlruns" / "0"
    )
    run = client.create_run(client.create_experiment("copied"))
    client.log_param(run.info.run_id, "k", 6)
    assert client.get_run(run.info.run_id).data.params == {"k": "6"}
    assert _schema(store) == _schema(made_by_mlflow)


def test_an_existing_store_is_never_replaced(tmp_path):
    store = tmp_path / "mlflow.db"
    store.write_bytes(b"a store of earlier runs")

    assert not start_from_template(store)

    assert store.read_bytes() == b"a store of earlier runs"


def _fake_template(tmp_path: Path, monkeypatch) -> bytes:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template_file().parent.mkdir(parents=True)
    template_file().write_bytes(b"the empty store")
    return b"the empty store"


def test_a_store_made_meanwhile_by_another_run_stays(tmp_path, monkeypatch):
    _fake_template(tmp_path, monkeypatch)
    store = tmp_path / "mlruns" / "mlflow.db"

    def copy_while_another_run_creates_the_store(source, target):
        store.write_bytes(b"the other run's store")
        return shutil.copyfile(source, target)

    monkeypatch.setattr(
        store_template.shutil, "copyfile", copy_while_another_run_creates_the_store
    )

    assert not start_from_template(store)

    assert store.read_bytes() == b"the other run's store"
    assert sorted(p.name for p in store.parent.iterdir()) == ["mlflow.db"]


def test_a_store_that_cannot_be_copied_is_left_to_mlflow(tmp_path, monkeypatch):
    # The cache cannot be made (a file stands where its folder would be).
    (tmp_path / "cache").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store = tmp_path / "mlruns" / "mlflow.db"

    assert not start_from_template(store)

    assert not store.exists()


def test_a_copied_store_is_the_template_byte_for_byte(tmp_path, monkeypatch):
    template = _fake_template(tmp_path, monkeypatch)
    store = tmp_path / "project" / "mlruns" / "mlflow.db"

    assert start_from_template(store)

    assert store.read_bytes() == template
    assert sorted(p.name for p in store.parent.iterdir()) == ["mlflow.db"]
