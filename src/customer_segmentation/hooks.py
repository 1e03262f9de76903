"""Project hooks: each run owns its environment, and publishes its bundle when it succeeds."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
from kedro.framework.hooks import hook_impl
from kedro.pipeline import Pipeline
from kedro_datasets.ibis import FileDataset, TableDataset

from customer_segmentation.bundle import ModelBundleDataset
from customer_segmentation.collector import close_at_exit
from customer_segmentation.engine import (
    DuckDBSettings,
    configure_duckdb,
    duckdb_settings,
    out_of_memory_advice,
)
from customer_segmentation.runs import (
    LOCK_FILE,
    EnvironmentLockedError,
    RunLock,
    check_environment_root,
    drop_orphan_tables,
    drop_tables_now_views,
)

logger = logging.getLogger(__name__)

# Environments that write into base's root: the default run environment.
SHARED_ENVIRONMENTS = ("base", "local")


def _duckdb_datasets(pipeline: Pipeline, catalog: Any) -> list[Any]:
    datasets = (catalog.get(name) for name in sorted(pipeline.datasets()))
    return [
        dataset
        for dataset in datasets
        if isinstance(dataset, FileDataset | TableDataset)
        and dataset._connection_config.get("backend") == "duckdb"
        and dataset._connection_config.get("database")
    ]


def _views(datasets: list[Any], database: str) -> list[str]:
    return sorted(
        dataset._table_name
        for dataset in datasets
        if isinstance(dataset, TableDataset)
        and dataset._materialized == "view"
        and dataset._connection_config["database"] == database
    )


def _bundle_datasets(pipeline: Pipeline, catalog: Any) -> list[ModelBundleDataset]:
    datasets = (catalog.get(name) for name in sorted(pipeline.all_outputs()))
    return [dataset for dataset in datasets if isinstance(dataset, ModelBundleDataset)]


def _open(dataset: Any, database: str, lock: RunLock) -> Any:
    try:
        return dataset.connection
    except duckdb.IOException as error:
        # Held by a process that is not a Kedro run (a notebook, a SQL shell).
        raise EnvironmentLockedError(
            f"environment {lock.environment!r}: its DuckDB database {database} is "
            f"open in another process ({error}). Close that connection (e.g. "
            "restart the notebook kernel that opened it), then run again."
        ) from error


class EnvironmentRunHooks:
    """Keeps runs of one environment apart and publishes bundles last.

    - After the context is created: refuses an environment without its own
      output root (``conf/<env>/globals.yml``).
    - Before a run: takes the environment's run lock (a second run gets a
      message naming the holder and its database), creates the DuckDB folders,
      applies the ``duckdb`` parameters (memory limit, threads, spill folder),
      drops temporary tables killed runs left and tables the catalog now saves
      as views, and discards unpublished bundles. The databases are closed
      when the process exits (``collector.py``).
    - After a successful run: publishes the bundle the run staged, then
      releases the lock. After a failed run: discards it and releases the lock.
    """

    def __init__(self) -> None:
        self._globals: dict[str, Any] = {}
        self._duckdb = DuckDBSettings()
        self._lock: RunLock | None = None

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        """Reads the environment's globals and engine settings; checks its root.

        Args:
            context: The Kedro context.
        """
        self._globals = dict(context.config_loader["globals"])
        self._duckdb = duckdb_settings(context.params)
        check_environment_root(context.env, self._globals, SHARED_ENVIRONMENTS)

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Locks the environment and clears what killed runs left.

        Args:
            run_params: Parameters of the run (unused).
            pipeline: The pipeline about to run.
            catalog: The run's ``DataCatalog``.

        Raises:
            EnvironmentLockedError: If another run holds the environment.
        """
        duckdb = _duckdb_datasets(pipeline, catalog)
        databases = sorted({str(d._connection_config["database"]) for d in duckdb})
        root = Path(self._globals.get("output_root", "data"))
        lock = RunLock(
            root / LOCK_FILE, self._globals.get("environment", "base"), databases
        )
        lock.acquire()
        self._lock = lock
        try:
            for database in databases:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            cleaned = set()
            for dataset in duckdb:
                key = dataset._connection_config["database"]
                if key not in cleaned:
                    connection = _open(dataset, key, lock)
                    close_at_exit(connection.disconnect)
                    configure_duckdb(connection, self._duckdb)
                    drop_orphan_tables(connection)
                    drop_tables_now_views(connection, _views(duckdb, key))
                    cleaned.add(key)
            for bundle in _bundle_datasets(pipeline, catalog):
                bundle.discard_staged()
        except Exception:
            self._release()
            raise

    @hook_impl
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Publishes the staged bundle (the run's last step), then unlocks.

        Args:
            run_params: Parameters of the run (unused).
            pipeline: The pipeline that ran.
            catalog: The run's ``DataCatalog``.
        """
        try:
            for bundle in _bundle_datasets(pipeline, catalog):
                version = bundle.publish()
                if version is not None:
                    logger.info(
                        "Published model bundle %s of environment %r",
                        version,
                        bundle.environment,
                    )
        finally:
            self._release()

    @hook_impl
    def on_pipeline_error(
        self,
        error: Exception,
        run_params: dict[str, Any],
        pipeline: Pipeline,
        catalog: Any,
    ) -> None:
        """Says what to change if DuckDB ran out of memory, discards the unpublished bundle, unlocks.

        Args:
            error: What failed.
            run_params: Parameters of the run (unused).
            pipeline: The pipeline that failed.
            catalog: The run's ``DataCatalog``.
        """
        advice = out_of_memory_advice(error, self._duckdb)
        if advice is not None:
            logger.error(advice)
        try:
            for bundle in _bundle_datasets(pipeline, catalog):
                bundle.discard_staged()
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
