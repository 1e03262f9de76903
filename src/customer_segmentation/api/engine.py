"""In-process DuckDB connections of the API: one per scoring thread, compiling each query once.

A request's tables always have the same names and types on a thread's connection,
so the node code builds the same Ibis expressions request after request; their SQL
is compiled once and reused (compiling, not running, is most of the cost of a
small request).
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
from kedro.pipeline import Node

from customer_segmentation.engine import DuckDBSettings, configure_duckdb

from .contents import TableContents
from .held import HELD_ROWS
from .memo import NodeMemo
from .rows import read_rows
from .statements import PreparingConnection, create_temp_table, drop_temp_table

COMPILED_QUERIES = 1024
# DuckDB optimizer passes a scoring connection keeps. On a small request's
# 4-10 kB statements the other passes cost more than they save (about a third
# of the engine's time per request). These four choose how joins run and how
# aggregate keys are stored: without them, floating-point sums of a large
# request may add rows in another order, and a 200,000-line request's answer
# changed in the last digit of one customer's expected spend; with them, the
# answers are the same bytes (docs/inference.md#benchmark).
KEPT_OPTIMIZERS = frozenset(
    {
        "join_order",
        "build_side_probe_side",
        "statistics_propagation",
        "compressed_materialization",
    }
)


def _optimize_lightly(backend: Any) -> None:
    known = backend.con.execute("SELECT name FROM duckdb_optimizers()").fetchall()
    disabled = sorted(name for (name,) in known if name not in KEPT_OPTIMIZERS)
    backend.raw_sql(f"SET disabled_optimizers = '{','.join(disabled)}'")


def _compile_once(backend: Any) -> None:
    compile_expression = backend.compile

    @functools.lru_cache(maxsize=COMPILED_QUERIES)
    def compile_operation(operation: Any, limit: Any, pretty: bool) -> str:
        return compile_expression(operation.to_expr(), limit=limit, pretty=pretty)

    def compile(expr: Any, /, *, limit=None, params=None, pretty=False) -> str:  # noqa: A001
        if params:
            return compile_expression(expr, limit=limit, params=params, pretty=pretty)
        return compile_operation(expr.op(), limit, pretty)

    backend.compile = compile


def _prepare_once(backend: Any) -> None:
    # Before running an expression, Ibis walks its whole graph to register Python
    # UDFs and in-memory tables. Both stay registered on the connection (the
    # cached expression keeps its in-memory tables alive), so the walk is done
    # once per expression.
    run_hooks = backend._run_pre_execute_hooks

    @functools.lru_cache(maxsize=COMPILED_QUERIES)
    def prepare_operation(operation: Any) -> None:
        run_hooks(operation.to_expr())

    def prepare(expr: Any) -> None:
        prepare_operation(expr.op())

    backend._run_pre_execute_hooks = prepare


class _Rows:
    """A query whose rows are read with :func:`read_rows`; anything else is a relation's."""

    def __init__(self, connection: Any, sql: str) -> None:
        self._connection = connection
        self._sql = sql

    def to_arrow_table(self) -> pa.Table:
        return read_rows(self._connection, self._sql)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection.sql(self._sql), name)


def _read_directly(backend: Any) -> None:
    def to_rows(expr: Any, /, *, params=None, limit=None, **kwargs) -> Any:
        backend._run_pre_execute_hooks(expr)
        sql = backend.compile(expr.as_table(), limit=limit, params=params, **kwargs)
        return _Rows(backend.con, sql)

    backend._to_duckdb_relation = to_rows


def _scalars_directly(backend: Any) -> None:
    # Ibis turns a one-value answer into a pandas frame, converts it twice and
    # reads the value back: 2-3 ms per scalar on a small request, several times
    # the query. A non-null integer, float or naive timestamp whose Arrow type is
    # the expression's own is taken from its column as Ibis's conversion gives
    # it (a Python int or float, a pandas Timestamp); anything else goes
    # through Ibis.
    execute = backend.execute

    def execute_scalar(expr: Any, /, *, params=None, limit=None, **kwargs) -> Any:
        dtype = expr.type() if isinstance(expr, ir.Scalar) else None
        if dtype is None or params or kwargs:
            return execute(expr, params=params, limit=limit, **kwargs)
        if not (
            dtype.is_integer()
            or dtype.is_floating()
            or (dtype.is_timestamp() and dtype.timezone is None)
        ):
            return execute(expr, limit=limit)
        relation = backend._to_duckdb_relation(expr, limit=limit)
        column = relation.to_arrow_table().column(0)
        if len(column) != 1 or column.null_count or column.type != dtype.to_pyarrow():
            return execute(expr, limit=limit)  # asked again: a rare answer
        if dtype.is_timestamp():
            return column.to_pandas().iat[0]
        return column[0].as_py()

    backend.execute = execute_scalar


class EngineConnections:
    """Gives each thread its own in-memory DuckDB connection, made on first use.

    Args:
        settings: Memory limit, threads and spill folder of each connection.
        held_rows: Most rows of a request's table held as a value (``held.py``).
    """

    def __init__(self, settings: DuckDBSettings, held_rows: int = HELD_ROWS) -> None:
        self._settings = settings
        self._held_rows = held_rows
        self._local = threading.local()

    def current(self) -> Any:
        """The calling thread's connection (an Ibis DuckDB backend)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = ibis.duckdb.connect()
            configure_duckdb(connection, self._settings)
            _optimize_lightly(connection)
            connection.con = PreparingConnection(
                connection.con, held_rows=self._held_rows
            )
            _compile_once(connection)
            _prepare_once(connection)
            _read_directly(connection)
            _scalars_directly(connection)
            self._local.connection = connection
            self._local.contents = TableContents()
            self._local.memo = NodeMemo(connection, self._local.contents)
        return connection

    def request(self) -> RequestTables:
        """Tables of a new request on the calling thread's connection."""
        connection = self.current()
        return RequestTables(connection, self._local.memo, self._local.contents)


def _table(connection: Any, name: str, schema: ibis.Schema) -> ir.Table:
    # Built from the known schema: no round trip to ask the engine for it.
    return ops.DatabaseTable(
        name, schema=schema, source=connection, namespace=ops.Namespace()
    ).to_expr()


class RequestTables:
    """The tables of one request on a thread's connection, under fixed names.

    Args:
        connection: The thread's Ibis DuckDB backend.
        memo: The thread's recorded node runs; ``None`` runs every node.
        contents: What the connection's tables hold (see ``contents.py``);
            ``None``: a new record, for this request alone.
    """

    def __init__(
        self,
        connection: Any,
        memo: NodeMemo | None = None,
        contents: TableContents | None = None,
    ) -> None:
        self.connection = connection
        self._memo = memo
        self._contents = contents if contents is not None else TableContents()
        self._views: list[str] = []
        self._names: list[str] = []

    def rows(self, name: str, rows: pa.Table) -> ir.Table:
        """Makes Arrow rows a table of the engine (registered, not copied).

        Args:
            name: Table name.
            rows: The rows.

        Returns:
            The table.
        """
        registered = self._contents.key(name)
        self._contents.rows(name, rows)
        # A recurring content (an empty table of the same columns: the
        # attributes of a request without any) is still registered from the
        # request before; registering it again costs a catalog change.
        if not (
            self._contents.recurring(name) and self._contents.key(name) == registered
        ):
            self.connection.con.register(name, rows)
        self._views.append(name)
        return _table(self.connection, name, ibis.Schema.from_pyarrow(rows.schema))

    def run_node(self, node: Node, inputs: dict[str, Any]) -> dict[str, Any]:
        """Runs a node, or reuses its recorded result (see :class:`NodeMemo`)."""
        if self._memo is None:
            return node.run(inputs)
        return self._memo.run(node, inputs)

    def keep(self, name: str, table: ir.Table) -> ir.Table:
        """Computes a table once, into a temporary table of the engine.

        A table that an earlier request computed by the same query from the
        same recurring contents (see ``contents.py``) is already there and is
        not computed again.

        Args:
            name: Name of the dataset (made a table name).
            table: Its expression.

        Returns:
            The temporary table.
        """
        name = "run_" + re.sub(r"\W", "_", name)
        sql = self.connection.compile(table)
        key = self._contents.computed(
            name, sql, self._contents.tables_read(sql, table.op())
        )
        if self._contents.key(name) != key:
            self._contents.forget(name)
            create_temp_table(self.connection.con, name, sql)
            self._contents.set(name, key)
        self._names.append(name)
        return _table(self.connection, name, table.schema())

    def release(self) -> None:
        """Drops the request's tables, so no request's data stays behind.

        A table whose content recurs (it holds none of the request's own rows:
        registered empty rows, or computed from such) stays for the next
        request.
        """
        for name in self._views:
            if not self._contents.recurring(name):
                self.connection.con.unregister(name)
                self._contents.forget(name)
        for name in self._names:
            if not self._contents.recurring(name):
                drop_temp_table(self.connection.con, name)
                self._contents.forget(name)
        self._views.clear()
        self._names.clear()
