"""Experiment tracking of every ``kedro run`` through kedro-mlflow, with a switch."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from kedro.config import MissingConfigException
from kedro.framework.hooks import hook_impl
from kedro.pipeline import Pipeline

from customer_segmentation.collector import paused

if TYPE_CHECKING:
    from .batched_hook import BatchedMlflowHook

logger = logging.getLogger(__name__)

# The one switch: CUSTOMER_SEGMENTATION_TRACKING=off runs without MLflow.
SWITCH = "CUSTOMER_SEGMENTATION_TRACKING"
_ON, _OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")


def tracking_enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether runs are tracked: on unless the switch says off.

    Args:
        environ: The process environment.

    Returns:
        ``True`` when ``CUSTOMER_SEGMENTATION_TRACKING`` is unset or on.

    Raises:
        ValueError: If the switch has a value that is neither on nor off.
    """
    value = environ.get(SWITCH, "on").strip().lower()
    if value not in _ON + _OFF:
        raise ValueError(
            f"{SWITCH}={value!r}: use one of {', '.join(_ON + _OFF)} (e.g. {SWITCH}=off)"
        )
    return value in _ON


def configured_tracking_uri(context: Any) -> str | None:
    """The tracking URI that kedro-mlflow will use, as ``mlflow.yml`` gives it.

    Args:
        context: The Kedro context.

    Returns:
        ``server.mlflow_tracking_uri`` of ``mlflow.yml``, else the
        ``MLFLOW_TRACKING_URI`` environment variable (kedro-mlflow's fallback),
        else ``None``.
    """
    try:
        server = context.config_loader["mlflow"].get("server") or {}
    except MissingConfigException:
        server = {}
    return server.get("mlflow_tracking_uri") or os.environ.get("MLFLOW_TRACKING_URI")


def _mlflow_hook(context: Any) -> BatchedMlflowHook:
    # MLflow is imported only for a tracked run (about 1.5 s).
    from .batched_hook import BatchedMlflowHook  # noqa: PLC0415
    from .sqlite_store import sqlite_store_file, use_store_settings  # noqa: PLC0415
    from .store_template import start_from_template  # noqa: PLC0415

    # Progress bars of MLflow's artifact copies would fill non-terminal logs.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    database = sqlite_store_file(configured_tracking_uri(context))
    if database is not None:
        use_store_settings(database)
        start_from_template(database)
    hook = BatchedMlflowHook()
    hook.after_context_created(context)
    return hook


class ExperimentTrackingHooks:
    """Makes every run an MLflow run (kedro-mlflow) and records the training.

    kedro-mlflow's own hook (registered here, not through its entry point; see
    ``settings.py``) starts the run, logs the parameters each node reads and
    ends the run. On top of it, after a successful run and after the bundle is
    published, this logs the candidates' metrics and the chosen one's, the
    published bundle as an MLflow model, and the report and plots; and tags the
    run with the Kedro environment. A local SQLite store gets the settings of
    ``sqlite_store.py`` and, when new, starts as a copy of an empty store
    (``store_template.py``). With the switch off, nothing is tracked and MLflow is
    not even imported.
    """

    def __init__(self) -> None:
        self._mlflow: BatchedMlflowHook | None = None
        self._tags: dict[str, str] = {}

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        """Reads the switch and, when on, kedro-mlflow's ``mlflow.yml``.

        Args:
            context: The Kedro context.
        """
        if not tracking_enabled():
            self._mlflow = None
            logger.info("Experiment tracking is off (%s)", SWITCH)
            return
        # Imports and objects that live until the process ends, little garbage:
        # the collector is paused meanwhile, as for the settings' imports.
        with paused():
            self._mlflow = _mlflow_hook(context)
        globals_ = context.config_loader["globals"]
        self._tags = {
            "kedro_env": str(context.env or context.config_loader.default_run_env),
            "environment": str(globals_.get("environment", context.env)),
        }

    @hook_impl
    def after_catalog_created(  # noqa: PLR0913, PLR0917
        self,
        catalog: Any,
        conf_catalog: dict[str, Any],
        conf_creds: dict[str, Any],
        parameters: dict[str, Any],
        save_version: str,
        load_versions: dict[str, str],
    ) -> None:
        """Lets kedro-mlflow name its metric datasets (when tracking is on)."""
        if self._mlflow is not None:
            self._mlflow.after_catalog_created(
                catalog,
                conf_catalog,
                conf_creds,
                parameters,
                save_version,
                load_versions,
            )

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Starts the MLflow run and tags it with the environment.

        Args:
            run_params: Parameters of the run.
            pipeline: The pipeline about to run.
            catalog: The run's ``DataCatalog``.
        """
        if self._mlflow is not None:
            import mlflow  # noqa: PLC0415 (imported with the hook above)

            self._mlflow.before_pipeline_run(run_params, pipeline, catalog)
            mlflow.set_tags(self._tags)

    @hook_impl
    def before_node_run(
        self, node: Any, catalog: Any, inputs: dict[str, Any], is_async: bool
    ) -> None:
        """Logs the parameters the node reads.

        Args:
            node: The node about to run.
            catalog: The run's ``DataCatalog``.
            inputs: The node's inputs by name.
            is_async: Whether inputs load asynchronously.
        """
        if self._mlflow is not None:
            self._mlflow.before_node_run(node, catalog, inputs, is_async)

    @hook_impl
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Records candidates, choice, model and report, then ends the run.

        Registered before the environment hooks, this runs after them: the
        bundle is already published. The garbage collector is paused meanwhile:
        the records make little garbage, and a full pass over the objects the
        run keeps took longer than the records (``collector.py``).

        Args:
            run_params: Parameters of the run.
            pipeline: The pipeline that ran.
            catalog: The run's ``DataCatalog``.
        """
        if self._mlflow is None:
            return
        from .records import record_training  # noqa: PLC0415 (MLflow)

        with paused():
            try:
                record_training(pipeline, catalog)
            finally:
                self._mlflow.after_pipeline_run(run_params, pipeline, catalog)

    @hook_impl
    def on_pipeline_error(
        self,
        error: Exception,
        run_params: dict[str, Any],
        pipeline: Pipeline,
        catalog: Any,
    ) -> None:
        """Ends the MLflow run as failed.

        Args:
            error: What failed.
            run_params: Parameters of the run.
            pipeline: The pipeline that failed.
            catalog: The run's ``DataCatalog``.
        """
        if self._mlflow is not None:
            self._mlflow.on_pipeline_error(error, run_params, pipeline, catalog)
