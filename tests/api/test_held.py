"""A small request's tables held as values: the same answers as tables of the engine, without binding again."""

import datetime as dt
import json
import math

import duckdb
import pyarrow as pa
import pytest

from customer_segmentation.api.statements import (
    PreparingConnection,
    create_temp_table,
    drop_temp_table,
)

QUERY = (
    'SELECT "s", "i" * 2 AS "twice", "f", "b", "d", "t" FROM "lines" '
    'WHERE "i" IS NULL OR "i" > 0 ORDER BY "i" NULLS FIRST, "s"'
)
EVERY_TYPE = pa.table(
    {
        "s": pa.array(["é", None, "a b", ""], pa.string()),
        "i": pa.array([3, None, 1, -(2**62)], pa.int64()),
        "f": pa.array([math.nan, -0.0, None, 1e300], pa.float64()),
        "b": pa.array([True, None, False, True]),
        "d": pa.array([dt.date(1700, 1, 1), None, dt.date(2026, 11, 30), None]),
        "t": pa.array(
            [dt.datetime(2025, 1, 1, 0, 0, 0, 1), None, dt.datetime(1678, 1, 1), None],
            pa.timestamp("us"),
        ),
    }
)


@pytest.fixture
def connection():
    plain = duckdb.connect()
    yield plain
    plain.close()


def engine_answer(rows: pa.Table, query: str = QUERY) -> pa.Table:
    engine = duckdb.connect()
    engine.register("lines", rows)
    return engine.sql(query).to_arrow_table()


def tables(connection) -> list[str]:
    found = connection.execute(
        "SELECT table_name FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return sorted(name for (name,) in found if not name.startswith("scoring_parsed"))


def variables(connection) -> list:
    return connection.execute("SELECT name FROM duckdb_variables()").fetchall()


def profile_of(connection, statement: str, tmp_path) -> dict:
    output = tmp_path / "profile.json"
    connection.execute("PRAGMA enable_profiling='json'")
    connection.execute(f"PRAGMA profiling_output='{output}'")
    connection.execute(statement).fetchall()
    connection.execute("PRAGMA disable_profiling")
    return json.loads(output.read_text())


@pytest.mark.parametrize(
    "rows",
    [
        EVERY_TYPE,
        EVERY_TYPE.slice(0, 0),  # no rows
        EVERY_TYPE.slice(1, 1),  # every column null
    ],
    ids=["every_type", "empty", "all_null"],
)
def test_a_held_table_gives_the_answer_and_types_of_the_same_rows_in_the_engine(
    connection, rows
):
    preparing = PreparingConnection(connection)
    preparing.register("lines", rows)

    held = preparing.rows(QUERY)

    assert tables(connection) == []  # nothing in the engine: the rows are a value
    assert held.schema == engine_answer(rows).schema
    # The same values, NaN and the sign of zero included.
    assert repr(held.to_pylist()) == repr(engine_answer(rows).to_pylist())


def test_a_query_of_held_tables_is_not_bound_again_when_it_runs_again(
    connection, tmp_path
):
    preparing = PreparingConnection(connection)
    preparing.register("lines", EVERY_TYPE)
    preparing.rows(QUERY)
    preparing.register("lines", EVERY_TYPE.slice(2, 2))  # new rows, same types

    statement = preparing._statement(QUERY)
    again = profile_of(connection, statement, tmp_path)
    connection.register("engine_lines", EVERY_TYPE)
    read = profile_of(connection, QUERY.replace('"lines"', '"engine_lines"'), tmp_path)

    # The optimizer runs its passes when a statement is bound; a prepared one
    # that is not bound again goes straight to its plan.
    assert "total_time" in read["optimizer"]
    assert "total_time" not in again.get("optimizer", {})
    assert [row[0] for row in connection.execute(statement).fetchall()] == ["a b"]


def test_a_table_computed_from_held_tables_is_held_and_read_as_any_table(connection):
    preparing = PreparingConnection(connection)
    preparing.register("lines", EVERY_TYPE)
    create_temp_table(preparing, "positive", 'SELECT * FROM "lines" WHERE "i" > 0')

    answer = preparing.rows('SELECT COUNT(*) AS "n", SUM("i") AS "i" FROM "positive"')

    assert answer.to_pylist() == [{"n": 2, "i": 4}]
    assert tables(connection) == []
    drop_temp_table(preparing, "positive")
    preparing.unregister("lines")
    assert variables(connection) == []  # no request's rows stay behind


def test_large_tables_and_other_types_stay_in_the_engine_and_mix_with_held_ones(
    connection,
):
    preparing = PreparingConnection(connection, held_rows=3)
    many = pa.table({"i": list(range(10)), "s": [str(n) for n in range(10)]})
    zoned = pa.table({"t": pa.array([0], pa.timestamp("us", tz="UTC")), "i": [5]})
    preparing.register("lines", many)
    preparing.register("zoned", zoned)
    preparing.register("few", pa.table({"i": [1, 2]}))
    create_temp_table(preparing, "kept", 'SELECT "i" FROM "lines" WHERE "i" < 6')
    # Computed from a held and an engine table: in the engine, which sees both.
    create_temp_table(
        preparing, "mixed", 'SELECT * FROM "few" JOIN "lines" USING ("i")'
    )
    query = (
        'SELECT SUM("kept"."i") AS "i" FROM "kept" JOIN "few" USING ("i") '
        'UNION ALL SELECT "i" FROM "zoned" UNION ALL SELECT COUNT(*) FROM "mixed"'
    )

    assert preparing.rows(query).column("i").to_pylist() == [3, 5, 2]
    assert tables(connection) == ["few", "kept", "lines", "mixed", "zoned"]
    for name in ("kept", "mixed"):
        drop_temp_table(preparing, name)
    for name in ("lines", "zoned", "few"):
        preparing.unregister(name)
    assert tables(connection) == []
    assert variables(connection) == []


def test_rows_registered_under_a_held_name_replace_the_held_ones(connection):
    preparing = PreparingConnection(connection, held_rows=3)
    preparing.register("lines", pa.table({"i": [1, 2]}))
    query = 'SELECT SUM("i") AS "i" FROM "lines"'
    assert preparing.rows(query).column("i").to_pylist() == [3]

    preparing.register("lines", pa.table({"i": list(range(100))}))  # too many
    assert preparing.rows(query).column("i").to_pylist() == [4950]
    preparing.register("lines", pa.table({"i": [7]}))  # held again
    assert preparing.rows(query).column("i").to_pylist() == [7]
    assert tables(connection) == []


def test_a_statement_that_is_not_a_query_reads_held_tables_from_the_engine(connection):
    preparing = PreparingConnection(connection)
    preparing.register("lines", pa.table({"i": [1, 2]}))

    preparing.execute(
        'CREATE TEMP TABLE "copied" AS SELECT "i" + 1 AS "j" FROM "lines"'
    )
    relation = preparing.sql('SELECT SUM("i") AS "i" FROM "lines"')

    assert connection.execute('SELECT SUM("j") FROM "copied"').fetchall() == [(5,)]
    assert relation.fetchall() == [(3,)]
    preparing.unregister("lines")
    assert tables(connection) == ["copied"]


def test_nothing_is_held_with_held_rows_zero(connection):
    preparing = PreparingConnection(connection, held_rows=0)
    preparing.register("lines", EVERY_TYPE)

    answer = preparing.rows(QUERY)

    assert repr(answer.to_pylist()) == repr(engine_answer(EVERY_TYPE).to_pylist())
    assert tables(connection) == ["lines"]
    assert variables(connection) == []
