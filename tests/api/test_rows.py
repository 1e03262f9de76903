"""Reading a query's rows in one engine call gives what a DuckDB relation gives."""

import duckdb
import pytest

from customer_segmentation.api.rows import read_rows


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 AS a, 'x' AS b, TIMESTAMP '2025-01-02 03:04:05' AS c",
        "SELECT range AS a, range * 0.5 AS b FROM range(1000)",
        "SELECT 1 AS a WHERE false",
    ],
)
def test_read_rows_equals_the_relation_rows(sql: str):
    connection = duckdb.connect()

    # DuckDB's advice about the copy is on the filtered list; the project's
    # other warnings are errors here (pyproject.toml).
    rows = read_rows(connection, sql)

    assert rows.equals(connection.sql(sql).to_arrow_table())
