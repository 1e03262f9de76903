"""Runs a Kedro pipeline's nodes in memory, in their order, on one request's inputs.

The API builds the inference ``Pipeline`` once and calls :meth:`InMemoryRunner.run`
per request: no session, no catalog I/O, no hooks. Inputs that do not change
between requests (parameters, the model bundle) are bound once; a request gives
the rest, and may override a bound parameter. Transcoded datasets
(``name@ibis`` / ``name@pandas``) are converted in memory, as the catalog would by
writing one and reading the other: an Ibis table becomes pandas through its Arrow
rows, as ``pandas.ParquetDataset`` reads the file the Ibis dataset wrote (Ibis's
own ``to_pandas`` converts column by column again, several milliseconds per
table of a small request). An Ibis table read by more than one node is
computed once, into a temporary table of the request's engine connection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from kedro.pipeline import Pipeline

TRANSCODING_SEPARATOR = "@"


def resolve_parameter(params: Mapping[str, Any], name: str) -> Any:
    """Looks up ``params:a.b.c`` in the loaded parameters.

    Args:
        params: The project's parameters (as ``context.params`` gives them).
        name: A node input starting with ``params:``.

    Returns:
        The value.

    Raises:
        KeyError: If the parameter does not exist.
    """
    value: Any = params
    for part in name.removeprefix("params:").split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"{name}: no such parameter")
        value = value[part]
    return value


def _base_name(name: str) -> str:
    return name.split(TRANSCODING_SEPARATOR, 1)[0]


def _as_format(value: Any, name: str) -> Any:
    wanted = name.partition(TRANSCODING_SEPARATOR)[2]
    if wanted == "pandas" and isinstance(value, ir.Table):
        return value.to_pyarrow().to_pandas()
    if wanted == "ibis" and isinstance(value, pd.DataFrame):
        return ibis.memtable(value)
    return value


class InMemoryRunner:
    """Runs a pipeline's nodes in topological order on in-memory values.

    Args:
        pipeline: The pipeline; every free input must be bound or given per run.
        bound: Values of free inputs that hold for every run (parameters, models).

    Raises:
        ValueError: If a free input other than the ``per_run`` ones is not bound.
    """

    def __init__(
        self, pipeline: Pipeline, bound: Mapping[str, Any], per_run: Iterable[str]
    ) -> None:
        self.pipeline = pipeline
        self._nodes = pipeline.nodes
        self._bound = dict(bound)
        per_run = set(per_run)
        unbound = sorted(pipeline.inputs() - set(self._bound) - per_run)
        if unbound:
            raise ValueError(f"pipeline inputs {unbound} have no value")
        reads = Counter(
            _base_name(name) for node in self._nodes for name in node.inputs
        )
        self._shared = {name for name, count in reads.items() if count > 1}

    def run(
        self,
        inputs: Mapping[str, Any],
        outputs: Iterable[str],
        tables: Any | None = None,
    ) -> dict[str, Any]:
        """Runs every node once and returns the asked outputs.

        Args:
            inputs: Per-run values; may override bound ones (e.g. a parameter).
            outputs: Names of the datasets to return.
            tables: The request's engine tables: where an Ibis table read by
                several nodes is computed once (``keep(name, table)``), as the
                batch catalog stores it, and what runs a node
                (``run_node(node, inputs)``, which may reuse an earlier run's
                result); ``None`` runs every node and leaves tables as
                expressions, recomputed by every reader.

        Returns:
            Dataset name -> value, for ``outputs``.
        """
        values = {**self._bound, **inputs}
        for node in self._nodes:
            node_inputs = {name: self._value(values, name) for name in node.inputs}
            results = (
                node.run(node_inputs)
                if tables is None
                else tables.run_node(node, node_inputs)
            )
            for name, output in results.items():
                keep = tables is not None and self._keep(name, output)
                values[name] = tables.keep(name, output) if keep else output
        return {name: self._value(values, name) for name in outputs}

    def _keep(self, name: str, value: Any) -> bool:
        return isinstance(value, ir.Table) and _base_name(name) in self._shared

    @staticmethod
    def _value(values: dict[str, Any], name: str) -> Any:
        if name in values:
            return values[name]
        base = _base_name(name)
        for stored_name, value in list(values.items()):
            if _base_name(stored_name) == base:
                values[name] = _as_format(value, name)  # converted once per run
                return values[name]
        raise KeyError(f"{name}: no node or input gives it")
