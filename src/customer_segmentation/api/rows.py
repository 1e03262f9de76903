"""Reads a query's rows from DuckDB in one engine call, not through a relation."""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def read_rows(connection: Any, sql: str) -> pa.Table:
    """Runs a query and reads its rows as Arrow, in one engine call.

    A DuckDB relation (``connection.sql``, what Ibis reads results through)
    parses and binds a statement twice more before running it, which costs more
    than running a small request's query. The rows are read with
    ``to_arrow_table`` of the executed statement, which copies them once: cheap
    for a request's results (DuckDB's advice about the copy is filtered in
    ``output_filters.py``).

    Args:
        connection: A DuckDB connection.
        sql: One query.

    Returns:
        Its rows.
    """
    return connection.execute(sql).to_arrow_table()
