"""A transcoded Ibis table reaches a pandas node as the batch catalog would read it."""

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd

from customer_segmentation.api.runner import _as_format


def test_an_ibis_table_becomes_the_frame_its_parquet_file_reads_as(tmp_path: Path):
    backend = ibis.duckdb.connect()
    backend.con.execute(
        "CREATE TABLE features AS SELECT * FROM (VALUES "
        "('a', 3, 1.5, 'UK', TIMESTAMP '2025-01-02 10:00:00', 7), "
        "('b', 0, NULL, NULL, NULL, NULL)) "
        "AS t(customer_id, frequency, monetary, country, signup_date, age)"
    )
    table = backend.table("features")
    path = tmp_path / "features.parquet"
    backend.to_parquet(table, path)  # what the Ibis dataset of the catalog writes

    frame = _as_format(table, "customer_features@pandas")

    pd.testing.assert_frame_equal(frame, pd.read_parquet(path), check_exact=True)
    assert frame.loc[0, "signup_date"] == dt.datetime(2025, 1, 2, 10)
