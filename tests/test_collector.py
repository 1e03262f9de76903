"""The collector in a run's process: paused where it would walk everything for nothing, frozen at exit.

Each exit is a real one, in a child process: freezing the collector in the test
process would change every later test.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from kedro.io import DataCatalog
from kedro.pipeline import Node, Pipeline
from kedro_datasets.ibis import TableDataset

from customer_segmentation import hooks as project_hooks
from customer_segmentation.collector import paused
from customer_segmentation.hooks import EnvironmentRunHooks
from customer_segmentation.tracking import records
from customer_segmentation.tracking.hooks import ExperimentTrackingHooks
from tests.project import PROJECT_ROOT


def _run_python(code: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_closers_run_once_each_in_reverse_order_then_the_collector_is_frozen(
    tmp_path,
):
    output = _run_python(
        """
        import gc
        from customer_segmentation.collector import close_at_exit, finish_process

        def first():
            print("first")

        def broken():
            raise RuntimeError("already gone")

        def last():
            print("last")

        for close in (first, broken, last, first):
            close_at_exit(close)
        finish_process()
        print("frozen", gc.get_freeze_count() > 0)
        """,
        tmp_path,
    )

    assert output.split() == ["last", "first", "frozen", "True"]


_DUCKDB_IN_A_CYCLE = """
    import duckdb
    from customer_segmentation.collector import close_at_exit

    class Holder:
        pass

    # Reachable only through a reference cycle once the module is torn down:
    # only the collector would close it.
    holder = Holder()
    holder.itself = holder
    holder.connection = duckdb.connect("store.duckdb")
    holder.connection.execute("CREATE TABLE kept AS SELECT range AS n FROM range(1000)")
    close_at_exit({closer})
    """


def test_a_registered_duckdb_database_is_closed_at_exit(tmp_path):
    _run_python(_DUCKDB_IN_A_CYCLE.format(closer="holder.connection.close"), tmp_path)

    assert not (tmp_path / "store.duckdb.wal").exists()
    with duckdb.connect(str(tmp_path / "store.duckdb")) as connection:
        assert connection.execute("SELECT count(*) FROM kept").fetchall() == [(1000,)]


def test_the_collector_no_longer_walks_what_was_alive_at_exit(tmp_path):
    # Without its closer the database is never closed: the frozen collector
    # does not reach it (its write-ahead log stays; DuckDB replays it).
    _run_python(_DUCKDB_IN_A_CYCLE.format(closer="lambda: None"), tmp_path)

    assert (tmp_path / "store.duckdb.wal").exists()
    with duckdb.connect(str(tmp_path / "store.duckdb")) as connection:
        assert connection.execute("SELECT count(*) FROM kept").fetchall() == [(1000,)]


def test_the_local_mlflow_store_is_closed_at_exit(tmp_path):
    _run_python(
        """
        from pathlib import Path
        from sqlalchemy import create_engine, text
        from customer_segmentation.tracking.sqlite_store import use_store_settings

        use_store_settings(Path("mlflow.db"))
        engine = create_engine("sqlite:///mlflow.db")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE runs (id INTEGER)"))
            connection.execute(text("INSERT INTO runs VALUES (1)"))
        # The pool keeps the connection open until the process ends.
        """,
        tmp_path,
    )

    assert not (tmp_path / "mlflow.db-wal").exists()
    with sqlite3.connect(tmp_path / "mlflow.db") as connection:
        assert connection.execute("SELECT id FROM runs").fetchall() == [(1,)]


def test_the_run_hooks_close_each_duckdb_database_at_exit(tmp_path, monkeypatch):
    registered = []
    monkeypatch.setattr(project_hooks, "close_at_exit", registered.append)
    dataset = TableDataset(
        table_name="kept",
        connection={"backend": "duckdb", "database": str(tmp_path / "run.duckdb")},
        save_args={"materialized": "table"},
    )
    catalog = DataCatalog({"kept": dataset})
    pipeline = Pipeline([Node(lambda: None, None, "kept", name="make_kept_node")])
    context = SimpleNamespace(
        config_loader={"globals": {"output_root": str(tmp_path)}}, params={}, env=None
    )
    hooks = EnvironmentRunHooks()
    hooks.after_context_created(context)
    try:
        hooks.before_pipeline_run({}, pipeline, catalog)
    finally:
        hooks.after_pipeline_run({}, pipeline, catalog)
        dataset.connection.disconnect()

    assert registered == [dataset.connection.disconnect]


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_stops_the_collector_for_the_block_then_leaves_it_as_it_was(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError, match="inside"), paused():
            assert not gc.isenabled()
            raise RuntimeError("inside")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_mlflow_records_after_a_run_run_with_the_collector_paused(monkeypatch):
    seen = []
    monkeypatch.setattr(
        records, "record_training", lambda *_: seen.append(gc.isenabled())
    )
    ended = SimpleNamespace(after_pipeline_run=lambda *_: seen.append(gc.isenabled()))
    hooks = ExperimentTrackingHooks()
    hooks._mlflow = ended  # a tracked run whose MLflow run is open

    hooks.after_pipeline_run({}, Pipeline([]), DataCatalog())

    assert seen == [False, False]
    assert gc.isenabled()
