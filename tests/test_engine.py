"""The ``duckdb`` parameters: validated, and applied to a database as settings."""

import ibis
import pytest
from pydantic import ValidationError

from customer_segmentation.engine import (
    DuckDBSettings,
    configure_duckdb,
    duckdb_settings,
)


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
