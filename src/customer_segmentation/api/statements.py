"""Runs a scoring connection's queries parsed once: as prepared statements, or as views.

The node code builds the same queries request after request, and DuckDB parses
a 5-12 kB statement in 1.5-3.5 ms, as long as running it on a small request's
rows. A query that runs again is executed from its prepared statement. DuckDB
binds it again if it reads a table of the engine (it does so for every prepared
statement that reads a table, whether or not the catalog changed; measured in
docs/inference.md), but does not parse it again; a query that reads only a
small request's tables, held as values (``held.py``), is neither parsed nor
bound again. A table computed by a query from held tables is held in turn; one
computed from tables of the engine is created from a view that holds the
parsed query. Either way the answer is the query's own: the same SQL over the
tables as they are when it runs.
"""

from __future__ import annotations

from typing import Any

from .held import HELD_ROWS, HeldTables, tables_named
from .rows import arrow_rows

# Statements that are prepared: queries. Anything else (a table created or
# dropped, a setting) runs as it is.
_QUERY_STARTS = ("SELECT", "WITH")
PREPARED_STATEMENTS = 1024


def create_temp_table(connection: Any, name: str, query: str) -> None:
    """Creates (or replaces) a temporary table holding a query's rows.

    Args:
        connection: A DuckDB connection; a :class:`PreparingConnection`
            holds the rows if it holds the tables the query reads, else reads
            the query from its view (parsed once).
        name: The table's name.
        query: The query.
    """
    if isinstance(connection, PreparingConnection):
        connection.create_table(name, query)
    else:
        connection.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {query}')


def drop_temp_table(connection: Any, name: str) -> None:
    """Drops a table made by :func:`create_temp_table`, if it is there."""
    if isinstance(connection, PreparingConnection):
        connection.drop_table(name)
    else:
        connection.execute(f'DROP TABLE IF EXISTS "{name}"')


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
        held_rows: Most rows of a table held as a value (``held.py``);
            0 holds none.
    """

    def __init__(
        self,
        connection: Any,
        capacity: int = PREPARED_STATEMENTS,
        held_rows: int = HELD_ROWS,
    ) -> None:
        self._connection = connection
        self._capacity = capacity
        self._names: dict[str, str] = {}
        self._views: dict[str, str] = {}
        self._created = 0
        self._held = HeldTables(connection, held_rows)
        # Names given to the engine through this object: rows registered
        # (a table too large to hold, or a held one shown, see _show), and
        # tables created.
        self._registered: set[str] = set()
        self._tables: set[str] = set()

    def execute(self, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        """Runs a statement as ``DuckDBPyConnection.execute`` does.

        A query without parameters runs from its prepared statement, prepared
        the first time it is seen.
        """
        if parameters is not None or kwargs or not isinstance(query, str):
            return self._connection.execute(query, parameters, **kwargs)
        return self._connection.execute(self._statement(query))

    def rows(self, query: str) -> Any:
        """A statement's rows as Arrow; a query runs from its prepared statement.

        See ``rows.py``: one engine statement, no copy of the result.
        """
        return arrow_rows(self._connection, self._statement(query))

    def sql(self, query: str, *args: Any, **kwargs: Any) -> Any:
        """A relation of a statement, as ``DuckDBPyConnection.sql`` gives it."""
        if args or kwargs:
            self._show(query)
            return self._connection.sql(query, *args, **kwargs)
        return self._connection.sql(self._statement(query))

    def register(self, name: str, rows: Any) -> Any:
        """Makes rows a table under a name: held as a value if small, else registered."""
        self._forget(name)
        if self._held.hold(name, rows):
            return self
        self._registered.add(name)
        return self._connection.register(name, rows)

    def unregister(self, name: str) -> Any:
        """Lets go of a table made by :meth:`register`."""
        if self._forget(name):
            return self
        return self._connection.unregister(name)

    def create_table(self, name: str, query: str) -> None:
        """Makes a query's rows a table: held, if the query reads held tables and they fit.

        Args:
            name: The table's name.
            query: The query.
        """
        if self._held.read_by(query) and not self._engine_tables(query):
            rows = arrow_rows(self._connection, self._statement(query))
            self.register(name, rows)
            return
        self._forget(name)
        self._connection.execute(
            f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM {self.view(query)}'
        )
        self._tables.add(name)

    def drop_table(self, name: str) -> None:
        """Drops a table made by :meth:`create_table`, if it is there."""
        if not self._forget(name):
            self._connection.execute(f'DROP TABLE IF EXISTS "{name}"')

    def query(self, name: str) -> str | None:
        """The query kept parsed under a name (a prepared statement or a view)."""
        for names in (self._names, self._views):
            for query, given in names.items():
                if given == name:
                    return query
        return None

    def view(self, query: str) -> str:
        """The name of a temporary view of the query, created the first time.

        A view holds its query parsed, and is bound to the tables of its
        names whenever it is read.
        """
        self._show(query)
        return self._parsed(
            self._views, query, "CREATE TEMP VIEW {} AS", "DROP VIEW IF EXISTS {}"
        )

    def _statement(self, query: str) -> str:
        # What runs a statement: a query from its prepared statement, with the
        # held tables it reads as its arguments; anything else as it is.
        if not _is_query(query):
            self._show(query)
            return query
        held = self._held.read_by(query)
        if not held:
            return f"EXECUTE {self._prepared(query)}"
        prepared, arguments = self._held.with_tables(query, held)
        return f"EXECUTE {self._prepared(prepared)}({arguments})"

    def _engine_tables(self, statement: str) -> tuple[str, ...]:
        # The tables given to the engine through this object (and not held)
        # that a statement reads.
        given = self._registered | self._tables
        return tables_named(
            statement, sorted(name for name in given if name not in self._held)
        )

    def _show(self, statement: str) -> None:
        # A statement that is run as it is reads held tables from the engine:
        # they are registered there too, until they are let go of.
        for name in self._held.read_by(statement):
            if name not in self._registered:
                self._connection.register(name, self._held.rows(name))
                self._registered.add(name)

    def _forget(self, name: str) -> bool:
        # Lets go of whatever this object made under a name; whether it made any.
        made = self._held.release(name) is not None
        if name in self._registered:
            self._registered.discard(name)
            self._connection.unregister(name)
            made = True
        if name in self._tables:
            self._tables.discard(name)
            self._connection.execute(f'DROP TABLE IF EXISTS "{name}"')
            made = True
        return made

    def _prepared(self, query: str) -> str:
        return self._parsed(self._names, query, "PREPARE {} AS", "DEALLOCATE {}")

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
