"""Names what each table of a scoring connection holds, so that a content seen before is known.

A request's tables have fixed names, but their rows change from request to
request, so what a query over them answers must normally be asked again. Some
contents recur exactly: a transaction request without attributes always has the
same empty attributes table, and every table computed only from recurring
contents by the same SQL holds the same rows again. Such a content gets a key
equal to the key it had before; any other content (a request's own rows) gets
a key equal only to itself. A query that reads only tables with recurring keys
answers what it answered before, so it need not run again (see ``memo.py``),
and a table computed from them need not be computed again (see ``engine.py``).
"""

from __future__ import annotations

from typing import Any

import ibis.expr.operations as ops
import pyarrow as pa

# Operations whose answer is not given by the named tables an expression reads:
# tables known only by their data or their SQL, and functions of the clock or
# of chance. The pipeline's own user-defined functions are pure functions of
# their arguments, as its nodes are.
_NOT_BY_NAME = (
    ops.InMemoryTable,
    ops.UnboundTable,
    ops.SQLQueryResult,
    ops.SQLStringView,
    ops.Impure,
)
_PURE_USER_FUNCTIONS = (ops.ScalarUDF, ops.AggUDF)
_REMEMBERED_QUERIES = 1024


def tables_read(operation: ops.Node) -> tuple[str, ...] | None:
    """The names of the engine tables an expression reads.

    Args:
        operation: The expression's operation.

    Returns:
        The sorted names of its database tables, or ``None`` when its answer
        depends on anything else (an in-memory table, SQL text, the clock,
        randomness).
    """
    if any(
        not isinstance(found, _PURE_USER_FUNCTIONS)
        for found in operation.find(_NOT_BY_NAME)
    ):
        return None
    return tuple(sorted({table.name for table in operation.find(ops.DatabaseTable)}))


class TableContents:
    """The content key of each table of one connection, by table name."""

    def __init__(self) -> None:
        self._keys: dict[str, Any] = {}
        self._read: dict[str, tuple[str, ...] | None] = {}

    def tables_read(self, sql: str, operation: ops.Node) -> tuple[str, ...] | None:
        """:func:`tables_read` of a query, worked out once per SQL text.

        The SQL names every table and function the query uses, so equal SQL
        reads the same tables; keying by it keeps no request's data.
        """
        if sql not in self._read:
            if len(self._read) >= _REMEMBERED_QUERIES:
                self._read.clear()
            self._read[sql] = tables_read(operation)
        return self._read[sql]

    def rows(self, name: str, rows: pa.Table) -> None:
        """Notes the rows a request gives a table: recurring when empty."""
        self._keys[name] = (
            ("empty", rows.schema.to_string()) if rows.num_rows == 0 else object()
        )

    def computed(self, name: str, sql: str, sources: tuple[str, ...] | None) -> Any:
        """The key a table computed by ``sql`` from ``sources`` would have.

        Args:
            name: The table's name.
            sql: The query computing it.
            sources: :func:`tables_read` of that query.

        Returns:
            A recurring key when every source's is, else a key of its own.
        """
        keys = self.keys(sources)
        return ("computed", name, sql, keys) if keys is not None else object()

    def keys(self, names: tuple[str, ...] | None) -> tuple[Any, ...] | None:
        """The tables' current keys when every one is recurring, else ``None``."""
        if names is None:
            return None
        keys = tuple(self._keys.get(name) for name in names)
        return keys if all(isinstance(key, tuple) for key in keys) else None

    def key(self, name: str) -> Any:
        """The table's current key (``None``: unknown)."""
        return self._keys.get(name)

    def set(self, name: str, key: Any) -> None:
        """Notes the key of a table just computed."""
        self._keys[name] = key

    def recurring(self, name: str) -> bool:
        """Whether the table's content can recur (it holds no request's own rows)."""
        return isinstance(self._keys.get(name), tuple)

    def forget(self, name: str) -> None:
        """Forgets a table that was dropped."""
        self._keys.pop(name, None)
