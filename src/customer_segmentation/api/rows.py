"""Reads a query's rows from DuckDB as Arrow, in one engine statement."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# Rows per Arrow batch: DuckDB's own default for Arrow results.
ARROW_BATCH_ROWS = 131072


def read_rows(connection: Any, sql: str) -> pa.Table:
    """Runs a query and reads its rows as Arrow, in one engine statement.

    A DuckDB relation (``connection.sql``, what Ibis reads results through)
    parses and binds a statement twice more before running it, and
    ``to_arrow_table`` of an executed statement runs one more statement over
    its result (with a warning about the copy, which costs more to filter than
    a small request's query to run). A :class:`PreparingConnection` runs the
    query from its prepared statement straight into Arrow; see
    :func:`arrow_rows`.

    Args:
        connection: A DuckDB connection, or a ``PreparingConnection``.
        sql: One query.

    Returns:
        Its rows.
    """
    rows = getattr(connection, "rows", None)
    if rows is not None:
        return rows(sql)
    return arrow_rows(connection, sql)


def arrow_rows(connection: Any, statement: str) -> pa.Table:
    """Runs one statement on a DuckDB connection and returns its rows as Arrow.

    DuckDB's own one-statement Arrow result (what its relations read through)
    when the connection has it; else ``to_arrow_table`` of the executed
    statement. Both give the same table (``tests/api/test_rows.py``).

    Args:
        connection: A DuckDB connection.
        statement: One statement that returns rows.

    Returns:
        Its rows.
    """
    submit = getattr(connection, "_submit", None)
    if submit is None:
        return connection.execute(statement).to_arrow_table()
    return submit(statement, None, "arrow", ARROW_BATCH_ROWS).arrow_table()
