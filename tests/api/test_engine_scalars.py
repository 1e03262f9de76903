"""A scoring connection answers a scalar query with the value Ibis's own conversion gives."""

import ibis
import pandas as pd
import pytest

from customer_segmentation.api.engine import EngineConnections
from customer_segmentation.engine import DuckDBSettings


@pytest.fixture(scope="module")
def tables():
    scoring = EngineConnections(DuckDBSettings(threads=1)).current()
    plain = ibis.duckdb.connect()
    for backend in (scoring, plain):
        backend.con.execute(
            "CREATE TABLE lines AS SELECT * FROM (VALUES "
            "(1, 2.5, TIMESTAMP '2025-11-02 10:00:00', 'a', 4::INTEGER), "
            "(3, -0.0, TIMESTAMP '1900-01-01 00:00:00.123456', NULL, NULL)) "
            "AS t(quantity, price, invoice_date, product, units)"
        )
    yield scoring.table("lines"), plain.table("lines")
    scoring.disconnect()
    plain.disconnect()


@pytest.mark.parametrize(
    "scalar",
    [
        lambda t: t.count(),
        lambda t: t.quantity.sum(),
        lambda t: t.quantity.max(),
        lambda t: t.units.max(),
        lambda t: t.price.min(),
        lambda t: t.price.mean(),
        lambda t: t.invoice_date.max(),
        lambda t: t.invoice_date.min(),
        lambda t: t.filter(t.quantity > 9).invoice_date.max(),  # null
        lambda t: t.filter(t.quantity > 9).price.max(),  # null float
        lambda t: t.product.max(),
        lambda t: t.invoice_date.max().date(),
    ],
)
def test_the_same_value_of_the_same_type_as_ibis_gives(tables, scalar):
    scoring, plain = tables

    fast, reference = scalar(scoring).execute(), scalar(plain).execute()

    assert type(fast) is type(reference)
    assert repr(fast) == repr(reference)
    assert getattr(fast, "unit", None) == getattr(reference, "unit", None)


def test_a_count_and_a_latest_date_are_read_without_ibis_s_conversion(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("converted by Ibis")

    monkeypatch.setattr(ibis.backends.duckdb.Backend, "execute", refuse)
    scoring = EngineConnections(DuckDBSettings(threads=1)).current()
    scoring.con.execute(
        "CREATE TABLE lines AS SELECT TIMESTAMP '2025-11-02 10:00:00' AS invoice_date"
    )
    lines = scoring.table("lines")

    assert lines.invoice_date.max().execute() == pd.Timestamp("2025-11-02 10:00:00")
    assert lines.count().execute() == 1
    scoring.disconnect()
