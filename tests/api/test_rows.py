"""Reading a query's rows in one engine statement gives what a DuckDB relation gives."""

import warnings

import duckdb
import pytest

from customer_segmentation.api.rows import arrow_rows, read_rows
from customer_segmentation.api.statements import PreparingConnection

QUERIES = [
    "SELECT 1 AS a, 'x' AS b, TIMESTAMP '2025-01-02 03:04:05' AS c",
    "SELECT range AS a, range * 0.5 AS b FROM range(1000)",
    "SELECT 1 AS a WHERE false",
    "WITH t AS (SELECT 2.5::DECIMAL(9, 2) AS d, NULL::DOUBLE AS n) SELECT * FROM t",
]


@pytest.fixture
def connection():
    plain = duckdb.connect()
    yield plain
    plain.close()


@pytest.mark.parametrize("sql", QUERIES)
def test_read_rows_equals_the_relation_rows(connection, sql: str):
    rows = read_rows(connection, sql)

    assert rows.equals(connection.sql(sql).to_arrow_table())


@pytest.mark.parametrize("sql", QUERIES)
def test_a_preparing_connection_reads_the_same_rows_from_its_prepared_statement(
    connection, sql: str
):
    preparing = PreparingConnection(connection)

    first = read_rows(preparing, sql)
    again = read_rows(preparing, sql)

    assert first.equals(connection.sql(sql).to_arrow_table())
    assert again.equals(first)
    prepared = connection.execute("SELECT count(*) FROM duckdb_prepared_statements()")
    assert prepared.fetchone() == (1,)


@pytest.mark.parametrize("sql", QUERIES)
def test_the_one_statement_arrow_result_equals_the_executed_statements_copy(
    connection, sql: str
):
    with warnings.catch_warnings():  # DuckDB's advice about the copy
        warnings.simplefilter("ignore")
        copied = connection.execute(sql).to_arrow_table()

    assert arrow_rows(connection, sql).equals(copied)
    assert arrow_rows(connection, sql).schema == copied.schema
