"""A scoring connection parses a query once, and its answers stay those of the tables as they are."""

import duckdb
import pyarrow as pa
import pytest

from customer_segmentation.api.statements import PreparingConnection, create_temp_table

QUERY = 'SELECT "x" * 2 AS "y", "s" FROM "lines" ORDER BY "x"'


@pytest.fixture
def connection():
    plain = duckdb.connect()
    yield plain
    plain.close()


def prepared_names(connection) -> list[str]:
    rows = connection.execute("SELECT name FROM duckdb_prepared_statements()")
    return sorted(name for (name,) in rows.fetchall())


def view_names(connection) -> list[str]:
    rows = connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal")
    return sorted(name for (name,) in rows.fetchall())


def lines(values: list, strings: list[str]) -> pa.Table:
    return pa.table({"x": values, "s": strings})


def test_a_query_run_again_is_executed_from_one_prepared_statement(connection):
    preparing = PreparingConnection(connection)
    connection.register("lines", lines([2, 1], ["b", "a"]))

    first = preparing.execute(QUERY).fetchall()
    second = preparing.execute(QUERY).fetchall()

    assert (
        first == second == connection.execute(QUERY).fetchall() == [(2, "a"), (4, "b")]
    )
    assert prepared_names(connection) == ["scoring_parsed_1"]


def test_a_prepared_query_answers_for_the_tables_as_they_are_when_it_runs(connection):
    preparing = PreparingConnection(connection)
    connection.register("lines", lines([1], ["a"]))
    preparing.execute(QUERY).fetchall()
    connection.unregister("lines")
    connection.register("lines", lines([0.5, 3.25], ["c", "d"]))  # other rows and type

    answer = preparing.execute(QUERY)

    assert answer.fetchall() == [(1.0, "c"), (6.5, "d")]
    assert [str(column[1]) for column in answer.description] == ["DOUBLE", "VARCHAR"]


def test_the_oldest_prepared_statement_is_released_beyond_the_capacity(connection):
    preparing = PreparingConnection(connection, capacity=2)
    for number in range(3):
        assert preparing.execute(f"SELECT {number} AS n").fetchall() == [(number,)]

    assert prepared_names(connection) == ["scoring_parsed_2", "scoring_parsed_3"]


def test_statements_other_than_queries_and_queries_with_parameters_run_as_given(
    connection,
):
    preparing = PreparingConnection(connection)
    preparing.execute("CREATE TABLE numbers AS SELECT 1 AS n")

    assert preparing.execute("SELECT n + ? FROM numbers", [2]).fetchall() == [(3,)]
    assert prepared_names(connection) == []


def test_a_table_created_through_a_view_equals_one_created_from_the_query(connection):
    preparing = PreparingConnection(connection)
    connection.register("lines", lines([2, 1], ["b", "a"]))
    create_temp_table(preparing, "direct", QUERY)  # through the view
    create_temp_table(connection, "plain", QUERY)  # a plain connection: the query
    connection.unregister("lines")
    connection.register("lines", lines([5], ["e"]))

    create_temp_table(preparing, "again", QUERY)

    def described(name: str) -> list:
        return connection.execute(f'DESCRIBE "{name}"').fetchall()

    def rows(name: str) -> list:
        return connection.execute(f'SELECT * FROM "{name}"').fetchall()

    assert described("direct") == described("plain")
    assert rows("direct") == rows("plain") == [(2, "a"), (4, "b")]
    assert rows("again") == [(10, "e")]
    assert view_names(connection) == [
        "lines",
        "scoring_parsed_1",
    ]  # registered rows: a view too


def test_the_query_kept_under_a_name_is_found_by_that_name(connection):
    preparing = PreparingConnection(connection)
    connection.register("lines", lines([2, 1], ["b", "a"]))
    preparing.execute(QUERY)
    view = preparing.view("SELECT 1 AS n")

    assert preparing.query("scoring_parsed_1") == QUERY
    assert preparing.query(view) == "SELECT 1 AS n"
    assert preparing.query("lines") is None
