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

from .rows import arrow_rows

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


def _is_query(statement: Any) -> bool:
    return isinstance(statement, str) and statement.lstrip()[:6].upper().startswith(
        _QUERY_STARTS
    )


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
        self._created = 0

    def execute(self, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        """Runs a statement as ``DuckDBPyConnection.execute`` does.

        A query without parameters runs from its prepared statement, prepared
        the first time it is seen.
        """
        if parameters is not None or kwargs or not _is_query(query):
            return self._connection.execute(query, parameters, **kwargs)
        return self._connection.execute(f"EXECUTE {self._prepared(query)}")

    def rows(self, query: str) -> Any:
        """A statement's rows as Arrow; a query runs from its prepared statement.

        See ``rows.py``: one engine statement, no copy of the result.
        """
        if not _is_query(query):
            return arrow_rows(self._connection, query)
        return arrow_rows(self._connection, f"EXECUTE {self._prepared(query)}")

    def query(self, name: str) -> str | None:
        """The query kept parsed under a name (a prepared statement or a view)."""
        for names in (self._names, self._views):
            for query, given in names.items():
                if given == name:
                    return query
        return None

    def _prepared(self, query: str) -> str:
        return self._parsed(self._names, query, "PREPARE {} AS", "DEALLOCATE {}")

    def view(self, query: str) -> str:
        """The name of a temporary view of the query, created the first time.

        A view holds its query parsed, and is bound to the tables of its
        names whenever it is read.
        """
        return self._parsed(
            self._views, query, "CREATE TEMP VIEW {} AS", "DROP VIEW IF EXISTS {}"
        )

    def _parsed(self, names: dict[str, str], query: str, create: str, drop: str) -> str:
        # The name under which the query is kept parsed (``create`` makes it),
        # the oldest one released (``drop``) beyond the capacity.
        name = names.get(query)
        if name is None:
            if len(names) >= self._capacity:
                oldest = names.pop(next(iter(names)))
                self._connection.execute(drop.format(oldest))
            self._created += 1
            name = f"scoring_parsed_{self._created}"
            self._connection.execute(f"{create.format(name)} {query}")
            names[query] = name
        return name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)
