"""Experiment tracking of every ``kedro run`` through kedro-mlflow, with a switch."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import mlflow
from kedro.framework.hooks import hook_impl
from kedro.pipeline import Pipeline
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH

with warnings.catch_warnings(record=True):
    # Importing kedro-mlflow defines its KedroPipelineModel (unused here), and MLflow
    # warns that its predict has no type hints, under a "once" filter of its own
    # that overrides any other (output_filters.py lists the warning too).
    from kedro_mlflow.framework.hooks.mlflow_hook import MlflowHook

from customer_segmentation.bundle import ModelBundleDataset

from .model import log_bundle_model
from .records import log_candidates, log_report_files

logger = logging.getLogger(__name__)

# The one switch: CUSTOMER_SEGMENTATION_TRACKING=off runs without MLflow.
SWITCH = "CUSTOMER_SEGMENTATION_TRACKING"
_ON, _OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")
# Datasets the records are read from (README.md, "Experiment tracking").
CANDIDATE_TABLE = "model_selection"
MODEL_INPUT = "model_input"
REPORTING_LAYER = "reporting"


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


def _layer(dataset: Any) -> str | None:
    metadata = getattr(dataset, "metadata", None) or {}
    return (metadata.get("kedro-viz") or {}).get("layer")


def report_files(pipeline: Pipeline, catalog: Any) -> list[Path]:
    """Files of the reporting layer that the pipeline writes.

    Args:
        pipeline: The pipeline that ran.
        catalog: Its ``DataCatalog``.

    Returns:
        The local path of every file-backed reporting output, sorted.
    """
    paths = []
    for name in sorted(pipeline.all_outputs()):
        dataset = catalog.get(name)
        # Kedro's file datasets keep their path in _filepath; there is no public one.
        filepath = getattr(dataset, "_filepath", None)
        if filepath is not None and _layer(dataset) == REPORTING_LAYER:
            paths.append(Path(str(filepath)))
    return paths


class _BatchedMlflowHook(MlflowHook):
    """kedro-mlflow's hook, logging a node's new parameters in one call.

    kedro-mlflow logs each flattened parameter of each node with its own call
    (a store transaction each, again for every node that reads it). Here the
    short ones are collected and the ones not yet logged with that value go in
    one batch; a value too long for a parameter follows ``long_params_strategy``
    as before. The run is restarted before a node only in a thread where it
    is not active.
    """

    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[str, Any] = {}
        self._logged: dict[str, str] = {}

    def _log_param(self, name: str, value: Any) -> None:
        if len(str(value)) > MAX_PARAM_VAL_LENGTH:
            super()._log_param(name, value)
        else:
            self._pending[name] = value

    def before_node_run(
        self, node: Any, catalog: Any, inputs: dict[str, Any], is_async: bool
    ) -> None:
        active = mlflow.active_run()
        if active is not None and active.info.run_id == self.run_id:
            # kedro-mlflow restarts the run before every node, for runners whose
            # nodes run in other threads (MLflow's active run is per thread): a
            # read and a status write in the store per node. In the thread where
            # the run is already active there is nothing to restart.
            run_id, self.run_id = self.run_id, None
            try:
                super().before_node_run(node, catalog, inputs, is_async)
            finally:
                self.run_id = run_id
        else:
            super().before_node_run(node, catalog, inputs, is_async)
        new = {
            name: value
            for name, value in self._pending.items()
            if self._logged.get(name) != str(value)
        }
        self._pending = {}
        if new:
            mlflow.log_params(new)
            self._logged.update({name: str(value) for name, value in new.items()})


class ExperimentTrackingHooks:
    """Makes every run an MLflow run (kedro-mlflow) and records the training.

    kedro-mlflow's own hook (registered here, not through its entry point; see
    ``settings.py``) starts the run, logs the parameters each node reads and
    ends the run. On top of it, after a successful run and after the bundle is
    published, this logs the candidates' metrics and the chosen one's, the
    published bundle as an MLflow model, and the report and plots; and tags the
    run with the Kedro environment. With the switch off, nothing is tracked.
    """

    def __init__(self) -> None:
        self._mlflow = _BatchedMlflowHook()
        self._enabled = False
        self._tags: dict[str, str] = {}

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        """Reads the switch and, when on, kedro-mlflow's ``mlflow.yml``.

        Args:
            context: The Kedro context.
        """
        self._enabled = tracking_enabled()
        if not self._enabled:
            logger.info("Experiment tracking is off (%s)", SWITCH)
            return
        # Progress bars of MLflow's artifact copies would fill non-terminal logs.
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        self._mlflow.after_context_created(context)
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
        if self._enabled:
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
        if self._enabled:
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
        if self._enabled:
            self._mlflow.before_node_run(node, catalog, inputs, is_async)

    @hook_impl
    def after_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Records candidates, choice, model and report, then ends the run.

        Registered before the environment hooks, this runs after them: the
        bundle is already published.

        Args:
            run_params: Parameters of the run.
            pipeline: The pipeline that ran.
            catalog: The run's ``DataCatalog``.
        """
        if not self._enabled:
            return
        outputs = pipeline.all_outputs()
        try:
            if CANDIDATE_TABLE in outputs:
                log_candidates(catalog.load(CANDIDATE_TABLE))
            for name in sorted(outputs):
                if isinstance(catalog.get(name), ModelBundleDataset):
                    uri = log_bundle_model(
                        catalog.load(name), catalog.load(MODEL_INPUT)
                    )
                    logger.info("Logged model bundle %s as MLflow model %s", name, uri)
            log_report_files(report_files(pipeline, catalog))
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
        if self._enabled:
            self._mlflow.on_pipeline_error(error, run_params, pipeline, catalog)
