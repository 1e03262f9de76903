"""The ``duckdb`` parameters: validated, and applied to a database as settings."""

import logging

import duckdb
import ibis
import pytest
from kedro.io import DataCatalog, DatasetError
from kedro.pipeline import Pipeline
from pydantic import ValidationError

from customer_segmentation.engine import (
    DuckDBSettings,
    configure_duckdb,
    duckdb_settings,
    out_of_memory_advice,
)
from customer_segmentation.hooks import EnvironmentRunHooks


def _setting(connection, name: str):
    return connection.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def test_defaults_limit_memory_and_leave_threads_to_duckdb():
    settings = duckdb_settings({})

    assert settings.statements() == ["SET memory_limit = '1.5GB'"]


def test_settings_are_applied_to_the_database(tmp_path):
    spill = tmp_path / "out" / "duckdb_spill"
    settings = duckdb_settings(
        {
            "duckdb": {
                "memory_limit": "512MB",
                "threads": 1,
                "temp_directory": str(spill),
            }
        }
    )
    connection = ibis.duckdb.connect()

    configure_duckdb(connection, settings)

    assert _setting(connection, "threads") == 1
    assert _setting(connection, "temp_directory") == str(spill)
    assert spill.is_dir()
    # DuckDB reports the limit in its own units (512MB is 488.2 MiB).
    assert "MiB" in _setting(connection, "memory_limit")


def test_null_leaves_duckdb_defaults():
    assert DuckDBSettings(memory_limit=None).statements() == []


def test_a_size_without_unit_is_refused():
    with pytest.raises(ValidationError, match="duckdb.memory_limit='2' should be"):
        DuckDBSettings(memory_limit="2")


def test_zero_threads_are_refused():
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        DuckDBSettings(threads=0)


def _out_of_memory() -> DatasetError:
    connection = duckdb.connect()
    connection.execute("SET memory_limit = '8MB'; SET temp_directory = ''")
    try:
        try:
            connection.execute(
                "SELECT count(*) FROM (SELECT i FROM range(3000000) t(i) GROUP BY i)"
            ).fetchall()
        except duckdb.OutOfMemoryException as error:
            raise DatasetError("Failed while saving data to dataset") from error
    except DatasetError as error:
        return error
    raise AssertionError("DuckDB did not run out of memory")


def test_out_of_memory_advice_names_the_run_parameters():
    advice = out_of_memory_advice(
        _out_of_memory(), DuckDBSettings(memory_limit="1.5GB", threads=None)
    )

    assert advice is not None
    assert "duckdb.memory_limit=1.5GB" in advice
    assert "duckdb.threads=one per core" in advice
    assert "--params duckdb.memory_limit=8GB" in advice
    assert out_of_memory_advice(ValueError("other"), DuckDBSettings()) is None


def test_failed_run_logs_the_advice(caplog):
    hooks = EnvironmentRunHooks()
    with caplog.at_level(logging.ERROR, logger="customer_segmentation.hooks"):
        hooks.on_pipeline_error(_out_of_memory(), {}, Pipeline([]), DataCatalog())

    limit = DuckDBSettings().memory_limit
    assert any(
        f"DuckDB ran out of its working memory (duckdb.memory_limit={limit}," in message
        for message in caplog.messages
    )
