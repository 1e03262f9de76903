"""A table computed from a content seen before stays; a table of a request's own rows is dropped."""

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from customer_segmentation.api.contents import TableContents, tables_read
from customer_segmentation.api.engine import RequestTables

EMPTY = pa.table({"quantity": pa.array([], pa.float64())})


@pytest.fixture
def backend():
    connection = ibis.duckdb.connect()
    yield connection
    connection.disconnect()


def temp_tables(backend) -> set[str]:
    rows = backend.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary"
    ).fetchall()
    return {name for (name,) in rows}


def positive(lines: ir.Table) -> ir.Table:
    return lines.filter(lines.quantity > 0)


def test_a_table_computed_from_empty_rows_stays_for_the_next_request(backend):
    contents = TableContents()
    tables = RequestTables(backend, contents=contents)
    tables.keep("kept", positive(tables.rows("lines", EMPTY)))
    tables.release()
    backend.raw_sql('INSERT INTO "run_kept" VALUES (7.0)')  # marks the old table

    tables = RequestTables(backend, contents=contents)
    kept = tables.keep("kept", positive(tables.rows("lines", EMPTY)))

    assert kept.to_pyarrow()["quantity"].to_pylist() == [7.0]  # not computed again
    tables.release()
    assert temp_tables(backend) == {"run_kept"}


def test_a_table_of_a_request_s_rows_is_computed_and_dropped(backend):
    contents = TableContents()
    tables = RequestTables(backend, contents=contents)
    tables.keep("kept", positive(tables.rows("lines", EMPTY)))
    tables.release()

    tables = RequestTables(backend, contents=contents)
    lines = tables.rows("lines", pa.table({"quantity": [1.0, -2.0]}))
    kept = tables.keep("kept", positive(lines))

    assert kept.to_pyarrow()["quantity"].to_pylist() == [1.0]
    tables.release()
    assert temp_tables(backend) == set()


def test_an_expression_of_the_clock_or_of_data_is_not_known_by_its_tables(backend):
    lines = RequestTables(backend).rows("lines", EMPTY)

    assert tables_read(positive(lines).op()) == ("lines",)
    assert tables_read(lines.mutate(now=ibis.now()).op()) is None
    assert tables_read(ibis.memtable({"quantity": [1.0]}).op()) is None


def registered_views(backend) -> set[str]:
    rows = backend.con.execute(
        "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    ).fetchall()
    return {name for (name,) in rows}


def test_empty_rows_stay_registered_and_a_request_s_rows_do_not(backend):
    contents = TableContents()
    tables = RequestTables(backend, contents=contents)
    tables.rows("lines", EMPTY)
    tables.release()
    assert registered_views(backend) == {"lines"}

    tables = RequestTables(backend, contents=contents)
    lines = tables.rows("lines", pa.table({"quantity": [1.0, -2.0]}))
    assert lines.to_pyarrow()["quantity"].to_pylist() == [1.0, -2.0]
    tables.release()
    assert registered_views(backend) == set()

    tables = RequestTables(backend, contents=contents)
    assert tables.rows("lines", EMPTY).to_pyarrow().num_rows == 0
