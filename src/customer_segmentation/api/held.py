"""A small request's tables held as values, so that its prepared queries are not bound again.

DuckDB binds a prepared statement again every time it runs when it reads a
table, whether or not the catalog changed; one that reads no table runs from
its plan as long as its parameters keep their types (measured in
docs/inference.md). Binding, not running, is most of what a small request's
4-12 kB queries cost. So the tables of a small request (its lines, its
attributes, and the tables the node code computes from them) are held as
values: each is one variable of the connection, a struct of column lists.
A query that reads held tables is prepared with a common table expression of
each one's name over a typed parameter (it shadows the table's name), and runs
with the variables as its arguments: the same SQL over the same rows, in the
same order, with the same column types.

A table that is larger than ``max_rows``, or has a column type outside the
plain ones below, is not held: it is a table of the engine as before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from duckdb.value.constant import Value

from customer_segmentation.pipelines.inference.settings import HELD_ROWS

# Column types that are held, and the DuckDB type an Arrow scan gives each.
# Anything else (a time zone, nanoseconds, nested types) stays in the engine.
PLAIN_TYPES = {
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.uint8(): "UTINYINT",
    pa.uint16(): "USMALLINT",
    pa.uint32(): "UINTEGER",
    pa.uint64(): "UBIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.date32(): "DATE",
    pa.timestamp("us"): "TIMESTAMP",
}
# Rewritten queries kept (a scoring connection has a few dozen).
_MADE = 4096
_WITH = re.compile(r"\s*WITH(\s+RECURSIVE)?\s", re.IGNORECASE)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_named(statement: str, names: Iterable[str]) -> tuple[str, ...]:
    """Those of the names that a statement reads (names after ``FROM`` or ``JOIN``)."""
    return _tables_named(statement, tuple(names))


@functools.lru_cache(maxsize=4096)
def _tables_named(statement: str, names: tuple[str, ...]) -> tuple[str, ...]:
    # The same statements meet the same names request after request.
    return tuple(
        name
        for name in names
        if _quoted(name) in statement
        and re.search(r"\b(?:FROM|JOIN)\s+" + re.escape(_quoted(name)), statement)
    )


class HeldTables:
    """The tables of one connection held as values (see the module's text).

    Args:
        connection: The DuckDB connection whose variables hold them.
        max_rows: Most rows of a held table.
    """

    def __init__(self, connection: Any, max_rows: int = HELD_ROWS) -> None:
        self._connection = connection
        self._max_rows = max_rows
        # Name -> (its rows, its struct type).
        self._held: dict[str, tuple[pa.Table, str]] = {}
        # Name -> the variable that holds it (the same each time: one value
        # per name, overwritten by the next rows of that name).
        self._variables: dict[str, str] = {}
        self._types: dict[str, Any] = {}
        # (query, the names and struct types of the held tables it reads)
        # -> what with_tables makes of it.
        self._made: dict[tuple[str, tuple], tuple[str, str]] = {}

    def hold(self, name: str, rows: Any) -> bool:
        """Holds a table's rows as a value, if it is small and of plain column types.

        Args:
            name: The table's name.
            rows: Its rows.

        Returns:
            Whether it is held; if not, nothing is held under the name.
        """
        self.release(name)
        if not isinstance(rows, pa.Table) or rows.num_rows > self._max_rows:
            return False
        types = [PLAIN_TYPES.get(field.type) for field in rows.schema]
        names = {column.lower() for column in rows.column_names}
        if not types or None in types or len(names) != rows.num_columns:
            return False  # SQL names are case-insensitive: a struct needs them apart
        struct = "STRUCT({})".format(
            ", ".join(
                f"{_quoted(column)} {type_}[]"
                for column, type_ in zip(rows.column_names, types, strict=True)
            )
        )
        variable = self._variables.setdefault(name, f"held_{len(self._variables)}")
        columns = rows.to_pydict()
        if all(column.null_count < len(column) for column in rows.columns):
            # A typed value: no cast to bind. (A list without any value would
            # be typed as a list of nulls, so those are cast instead.)
            value = Value(columns, self._type(struct))
            self._connection.execute(f"SET VARIABLE {variable} = ?", [value])
        else:
            self._connection.execute(
                f"SET VARIABLE {variable} = ?::{struct}", [columns]
            )
        self._held[name] = (rows, struct)
        return True

    def _type(self, struct: str) -> Any:
        type_ = self._types.get(struct)
        if type_ is None:
            type_ = self._types[struct] = self._connection.sqltype(struct)
        return type_

    def release(self, name: str) -> pa.Table | None:
        """Lets go of a held table; its rows, or ``None`` if it was not held."""
        held = self._held.pop(name, None)
        if held is None:
            return None
        self._connection.execute(f"RESET VARIABLE {self._variables[name]}")
        return held[0]

    def rows(self, name: str) -> pa.Table:
        """A held table's rows."""
        return self._held[name][0]

    def read_by(self, statement: str) -> tuple[str, ...]:
        """The held tables a statement reads, in a fixed order."""
        return tables_named(statement, sorted(self._held))

    def __contains__(self, name: object) -> bool:
        return name in self._held

    def with_tables(self, query: str, names: tuple[str, ...]) -> tuple[str, str]:
        """A query that reads the named held tables from its parameters, and its arguments.

        Args:
            query: A query (``SELECT`` or ``WITH``).
            names: Held tables it reads (:meth:`read_by`).

        Returns:
            The query to prepare (its parameters typed, so that running it
            again does not bind it again), and the arguments to run it with.
        """
        key = (query, tuple((name, self._held[name][1]) for name in names))
        made = self._made.get(key)
        if made is None:
            if len(self._made) >= _MADE:
                self._made.clear()
            made = self._made[key] = self._with_tables(query, names)
        return made

    def _with_tables(self, query: str, names: tuple[str, ...]) -> tuple[str, str]:
        tables = []
        for position, name in enumerate(names, start=1):
            rows, struct = self._held[name]
            columns = ", ".join(
                f"UNNEST(held.{_quoted(column)}) AS {_quoted(column)}"
                for column in rows.column_names
            )
            tables.append(
                f"{_quoted(name)} AS (SELECT {columns} "
                f"FROM (SELECT ${position}::{struct} AS held))"
            )
        expressions = ", ".join(tables)
        start = _WITH.match(query)
        if start is None:
            prepared = f"WITH {expressions} {query}"
        else:
            prepared = f"{query[: start.end()]}{expressions}, {query[start.end() :]}"
        arguments = ", ".join(
            f"getvariable('{self._variables[name]}')" for name in names
        )
        return prepared, arguments
