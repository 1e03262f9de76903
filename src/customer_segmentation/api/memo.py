"""Reuses a node's result on a scoring thread when its inputs and its engine answers are the same.

A node is a pure function of its inputs and of what its engine queries answer.
On a thread's connection a request's tables always have the same names and
types, so a node receives the same Ibis expressions and parameters request after
request; building them again is most of a small request's cost. The first run
of a node records the queries it ran and their answers; a later run with equal
inputs only runs those queries again and, when every answer is the same (a
check that finds no broken row, a table that is empty), returns the recorded
result without running the node. Any other answer runs the node, so the result
is always the node's own.

A query that reads only tables whose content recurs (see ``contents.py``: the
empty attributes table of a request without attributes, and what is computed
from it) answers what it answered before, and is not run again either.

A node is only reused when its result is made of Ibis expressions, plain
scalars, and lists and mappings of them (a reader gets its own copy of those),
its queries' answers are small, and it asked the engine nothing but queries.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from kedro.pipeline import Node

from .contents import TableContents
from .rows import read_rows

logger = logging.getLogger(__name__)

# Largest answer recorded; a node whose queries return more is run every time.
MAX_RECORDED_ROWS = 64
_IMMUTABLE = (str, int, float, bool, bytes, dt.date, pd.Timestamp, type(pd.NaT))


def _same(first: Any, second: Any) -> bool:
    if first is second:
        return True
    if isinstance(first, ir.Expr):
        return isinstance(second, ir.Expr) and first.op() == second.op()
    if isinstance(first, pd.DataFrame | pd.Series | ir.Expr) or type(first) is not type(
        second
    ):
        return False
    try:
        return bool(first == second)
    except (TypeError, ValueError):
        return False


def _reusable(value: Any) -> bool:
    if value is None or isinstance(value, (ir.Expr, *_IMMUTABLE)):
        return True
    if type(value) in (tuple, list):
        return all(_reusable(item) for item in value)
    if type(value) is dict:
        return all(_reusable(item) for item in (*value.keys(), *value.values()))
    return False


def _copy(value: Any) -> Any:
    # Lists and mappings are copied, so no reader changes the recorded result;
    # expressions and scalars cannot be changed and are shared.
    if type(value) is list:
        return [_copy(item) for item in value]
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is tuple:
        return tuple(_copy(item) for item in value)
    return value


def _keyable(value: Any) -> bool:
    return not isinstance(value, pd.DataFrame | pd.Series | pa.Table)


@dataclass(frozen=True)
class _Query:
    """A recorded query: its SQL, its answer, the tables it read and their keys."""

    sql: str
    answer: pa.Table
    tables: tuple[str, ...] | None
    keys: tuple[Any, ...] | None


@dataclass(frozen=True)
class _Recorded:
    inputs: dict[str, Any]
    queries: tuple[_Query, ...]
    outputs: dict[str, Any]

    def same_inputs(self, inputs: dict[str, Any]) -> bool:
        return self.inputs.keys() == inputs.keys() and all(
            _same(value, inputs[name]) for name, value in self.inputs.items()
        )


class _Untouchable:
    """Stands for the engine connection while a node runs; notes any use but queries."""

    def __init__(self, connection: Any, recorder: _Recorder) -> None:
        self._connection = connection
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        self._recorder.other_use = True
        return getattr(self._connection, name)


class _Recorder:
    """Runs a node with the backend's queries recorded (instance attributes only)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.queries: list[tuple[str, pa.Table, ops.Node]] = []
        self.other_use = False

    def run(self, node: Node, inputs: dict[str, Any]) -> dict[str, Any]:
        backend = self.backend
        connection = backend.con
        to_relation = backend._to_duckdb_relation

        def recorded_relation(expr: Any, /, *, params=None, limit=None, **kwargs):
            backend.con = connection
            try:
                relation = to_relation(expr, params=params, limit=limit, **kwargs)
                answer = relation.to_arrow_table()
                if params or kwargs:
                    self.other_use = True
                else:
                    table = expr.as_table()
                    sql = backend.compile(table, limit=limit)
                    self.queries.append((sql, answer, table.op()))
            finally:
                backend.con = untouchable
            return _Answered(relation, answer, self)

        untouchable = _Untouchable(connection, self)
        backend.con = untouchable
        backend._to_duckdb_relation = recorded_relation
        try:
            return node.run(inputs)
        finally:
            backend.con = connection
            backend._to_duckdb_relation = to_relation


class _Answered:
    """A query's relation whose rows were already read (and recorded)."""

    def __init__(self, relation: Any, table: pa.Table, recorder: _Recorder) -> None:
        self._relation = relation
        self._table = table
        self._recorder = recorder

    def to_arrow_table(self) -> pa.Table:
        return self._table

    def __getattr__(self, name: str) -> Any:
        # Read another way than the recorded one: the node is not reused.
        self._recorder.other_use = True
        return getattr(self._relation, name)


class NodeMemo:
    """The recorded runs of one thread's connection, one per node.

    Args:
        backend: The thread's Ibis DuckDB backend.
        contents: What the connection's tables hold; ``None``: every query
            is asked again.
    """

    def __init__(self, backend: Any, contents: TableContents | None = None) -> None:
        self._backend = backend
        self._contents = contents if contents is not None else TableContents()
        self._recorded: dict[str, _Recorded] = {}

    def run(self, node: Node, inputs: dict[str, Any]) -> dict[str, Any]:
        """Runs a node, or returns its recorded result when nothing it reads changed.

        Args:
            node: The pipeline node.
            inputs: Its input values by dataset name.

        Returns:
            Its outputs by dataset name.
        """
        recorded = self._recorded.get(node.name)
        if (
            recorded is not None
            and recorded.same_inputs(inputs)
            and self._same_answers(recorded.queries)
        ):
            return {name: _copy(value) for name, value in recorded.outputs.items()}
        recorder = _Recorder(self._backend)
        outputs = recorder.run(node, inputs)
        if (
            not recorder.other_use
            and all(_keyable(value) for value in inputs.values())
            and all(
                answer.num_rows <= MAX_RECORDED_ROWS
                for _, answer, _ in recorder.queries
            )
            and all(_reusable(value) for value in outputs.values())
        ):
            self._recorded[node.name] = _Recorded(
                dict(inputs),
                tuple(self._query(*query) for query in recorder.queries),
                {name: _copy(value) for name, value in outputs.items()},
            )
        else:
            self._recorded.pop(node.name, None)
        return outputs

    def _query(self, sql: str, answer: pa.Table, operation: ops.Node) -> _Query:
        tables = self._contents.tables_read(sql, operation)
        return _Query(sql, answer, tables, self._contents.keys(tables))

    def _same_answers(self, queries: tuple[_Query, ...]) -> bool:
        connection = self._backend.con
        for query in queries:
            if query.keys is not None and (
                self._contents.keys(query.tables) == query.keys
            ):
                continue  # it read the same contents: the same answer
            sql, answer = query.sql, query.answer
            try:
                again = read_rows(connection, sql)
            except Exception:  # noqa: BLE001 - the node runs and raises its own error
                logger.debug(
                    "recorded query failed; the node runs again", exc_info=True
                )
                return False
            if not again.equals(answer):
                return False
        return True
