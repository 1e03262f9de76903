"""A node's result is reused on a connection only while its inputs and engine answers stay the same."""

from unittest.mock import patch

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pytest
from kedro.pipeline import Node

from customer_segmentation.api.contents import TableContents
from customer_segmentation.api.engine import RequestTables
from customer_segmentation.api.memo import NodeMemo

CALLS: list[str] = []


def checked(lines: ir.Table) -> ir.Table:
    CALLS.append("checked")
    if int(lines.filter(lines.quantity <= 0).count().execute()):
        raise ValueError("lines: quantity should be > 0 (rule: positive quantity)")
    return lines.filter(lines.quantity > 1)


def counted(lines: ir.Table) -> int:
    CALLS.append("counted")
    return int(lines.count().execute())


def listed(lines: ir.Table) -> list:
    CALLS.append("listed")
    return lines.quantity.to_pyarrow().to_pylist()


def framed(lines: ir.Table) -> pd.DataFrame:
    CALLS.append("framed")
    return lines.to_pandas()


def created(lines: ir.Table) -> int:
    CALLS.append("created")
    lines.get_backend().create_table("copy", lines, overwrite=True)
    return 0


@pytest.fixture
def backend():
    connection = ibis.duckdb.connect()
    yield connection
    connection.disconnect()


def lines_of(backend, quantities: list[float]) -> ir.Table:
    """The request's lines under the same table name, as the API registers them."""
    backend.con.unregister("lines")
    return RequestTables(backend).rows("lines", pa.table({"quantity": quantities}))


def run(memo: NodeMemo, func, lines: ir.Table):
    node = Node(func, "lines", "out", name=func.__name__)
    return memo.run(node, {"lines": lines})["out"]


def test_a_node_whose_answers_are_the_same_is_not_run_again(backend):
    memo = NodeMemo(backend)
    CALLS.clear()

    first = run(memo, checked, lines_of(backend, [1.0, 2.0]))
    second = run(memo, checked, lines_of(backend, [3.0, 5.0, 1.5]))

    assert CALLS == ["checked"]
    assert second.to_pyarrow()["quantity"].to_pylist() == [3.0, 5.0, 1.5]
    assert first.op() == second.op()


def test_a_different_answer_runs_the_node_and_raises_its_error(backend):
    memo = NodeMemo(backend)
    CALLS.clear()
    run(memo, checked, lines_of(backend, [1.0, 2.0]))

    with pytest.raises(ValueError, match="rule: positive quantity"):
        run(memo, checked, lines_of(backend, [1.0, -2.0]))
    assert CALLS == ["checked", "checked"]


def test_a_result_that_depends_on_the_data_is_recomputed(backend):
    memo = NodeMemo(backend)
    CALLS.clear()

    assert run(memo, counted, lines_of(backend, [1.0])) == 1
    assert run(memo, counted, lines_of(backend, [1.0, 2.0])) == 2  # noqa: PLR2004
    assert run(memo, counted, lines_of(backend, [4.0, 3.0])) == 2  # noqa: PLR2004
    assert CALLS == ["counted", "counted"]


def test_a_list_result_is_reused_as_a_copy_of_its_own(backend):
    memo = NodeMemo(backend)
    CALLS.clear()

    first = run(memo, listed, lines_of(backend, [1.0]))
    first.append(99.0)  # a reader changes its copy
    second = run(memo, listed, lines_of(backend, [1.0]))

    assert CALLS == ["listed"]
    assert second == [1.0]


def test_a_frame_result_is_never_reused(backend):
    memo = NodeMemo(backend)
    CALLS.clear()

    run(memo, framed, lines_of(backend, [1.0]))
    run(memo, framed, lines_of(backend, [1.0]))

    assert CALLS == ["framed", "framed"]


def test_a_query_of_a_content_seen_before_is_not_asked_again(backend):
    contents = TableContents()
    memo = NodeMemo(backend, contents)
    asked: list[str] = []
    backend.con.unregister("lines")
    tables = RequestTables(backend, memo, contents)
    run(
        memo,
        counted,
        tables.rows("lines", pa.table({"quantity": pa.array([], pa.float64())})),
    )
    tables.release()

    with patch("customer_segmentation.api.memo.read_rows", side_effect=asked.append):
        tables = RequestTables(backend, memo, contents)
        empty = tables.rows("lines", pa.table({"quantity": pa.array([], pa.float64())}))
        assert run(memo, counted, empty) == 0
    assert asked == []


def test_a_node_that_changes_the_engine_is_run_every_time(backend):
    memo = NodeMemo(backend)
    CALLS.clear()

    run(memo, created, lines_of(backend, [1.0]))
    run(memo, created, lines_of(backend, [1.0]))

    assert CALLS == ["created", "created"]
