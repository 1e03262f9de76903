"""kedro-mlflow's hook, logging a node's new parameters in one batch (imports MLflow)."""

from __future__ import annotations

import warnings
from typing import Any

import mlflow
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH

with warnings.catch_warnings(record=True):
    # Importing kedro-mlflow defines its KedroPipelineModel (unused here), and MLflow
    # warns that its predict has no type hints, under a "once" filter of its own
    # that overrides any other (output_filters.py lists the warning too).
    from kedro_mlflow.framework.hooks.mlflow_hook import MlflowHook


class BatchedMlflowHook(MlflowHook):
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
