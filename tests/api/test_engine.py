"""A scoring connection runs DuckDB's optimizer passes that keep answers identical, no others."""

import duckdb

from customer_segmentation.api.engine import KEPT_OPTIMIZERS, EngineConnections
from customer_segmentation.engine import DuckDBSettings


def test_a_scoring_connection_switches_off_every_optimizer_pass_but_the_kept_ones():
    backend = EngineConnections(DuckDBSettings(threads=1)).current()

    (setting,) = backend.con.execute(
        "SELECT current_setting('disabled_optimizers')"
    ).fetchone()

    every_pass = {name for (name,) in duckdb.sql("FROM duckdb_optimizers()").fetchall()}
    disabled = {name.strip().lower() for name in setting.split(",")}
    assert disabled == every_pass - KEPT_OPTIMIZERS
    assert every_pass >= KEPT_OPTIMIZERS  # a renamed pass would not be kept
    backend.disconnect()
