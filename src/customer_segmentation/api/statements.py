"""Runs a scoring connection's queries parsed once: as prepared statements, or as views.

The node code builds the same queries request after request, and DuckDB parses
a 5-12 kB statement in 1.5-3.5 ms, as long as running it on a small request's
rows. A query that runs again is executed from its prepared statement: DuckDB
binds it again (it does so for every prepared statement that reads a table,
whether or not the catalog changed; measured in docs/performance.md), but does
not parse it again. A table computed by a query (which cannot be prepared) is
created from a view that holds the parsed query. Either way the answer is the
query's own: the same SQL, bound to the tables as they are when it runs.
"""

from __future__ import annotations

from typing import Any

# Statements that are prepared: queries. Anything else (a table created or
# dropped, a setting) runs as it is.
_QUERY_STARTS = ("SELECT", "WITH")
PREPARED_STATEMENTS = 1024


def create_temp_table(connection: Any, name: str, query: str) -> None:
    """Creates (or replaces) a temporary table holding a query's rows.

    Args:
        connection: A DuckDB connection; a :class:`PreparingConnection`
            reads the query from its view (parsed once).
        name: The table's name.
        query: The query.
    """
    if isinstance(connection, PreparingConnection):
        query = f"SELECT * FROM {connection.view(query)}"
    connection.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {query}')


class PreparingConnection:
    """Stands for a DuckDB connection; runs each query from its prepared statement.

    One per connection, used by one thread at a time (a scoring thread's),
    as the connection itself is.

    Args:
        connection: The DuckDB connection.
        capacity: Most statements kept prepared; the oldest is released
            when another is prepared.
    """

    def __init__(self, connection: Any, capacity: int = PREPARED_STATEMENTS) -> None:
        self._connection = connection
        self._capacity = capacity
        self._names: dict[str, str] = {}
        self._views: dict[str, str] = {}
        self._prepared = 0

    def execute(self, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        """Runs a statement as ``DuckDBPyConnection.execute`` does.

        A query without parameters runs from its prepared statement, prepared
        the first time it is seen.
        """
        if (
            parameters is not None
            or kwargs
            or not isinstance(query, str)
            or not query.lstrip()[:6].upper().startswith(_QUERY_STARTS)
        ):
            return self._connection.execute(query, parameters, **kwargs)
        name = self._names.get(query)
        if name is None:
            name = self._prepare(query)
        return self._connection.execute(f"EXECUTE {name}")

    def view(self, query: str) -> str:
        """The name of a temporary view of the query, created the first time.

        A view holds its query parsed, and is bound to the tables of its
        names whenever it is read.
        """
        name = self._views.get(query)
        if name is None:
            if len(self._views) >= self._capacity:
                oldest = self._views.pop(next(iter(self._views)))
                self._connection.execute(f"DROP VIEW IF EXISTS {oldest}")
            name = self._name("scoring_view")
            self._connection.execute(f"CREATE TEMP VIEW {name} AS {query}")
            self._views[query] = name
        return name

    def _prepare(self, query: str) -> str:
        if len(self._names) >= self._capacity:
            oldest = next(iter(self._names))
            self._connection.execute(f"DEALLOCATE {self._names.pop(oldest)}")
        name = self._name("scoring_query")
        self._connection.execute(f"PREPARE {name} AS {query}")
        self._names[query] = name
        return name

    def _name(self, prefix: str) -> str:
        self._prepared += 1
        return f"{prefix}_{self._prepared}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)
