"""Settings of the DuckDB engine a run uses: memory limit, threads and where it spills.

They are the ``duckdb`` parameters (``conf/base/parameters_engine.yml``), applied
by the project hooks to every DuckDB database of the catalog before a run, so a
change needs no catalog edit and ``kedro run --params duckdb.memory_limit=4GB``
works. DuckDB keeps its working memory under ``memory_limit`` and writes what
does not fit (hash aggregates, joins, sorts, window partitions, materialised
tables) to ``temp_directory``; other engines (Spark, a warehouse) ignore them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator

MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


class DuckDBSettings(BaseModel):
    """How much of the machine DuckDB may use.

    Attributes:
        memory_limit: Working memory of the engine, e.g. ``"1.5GB"``; ``None`` leaves
            DuckDB's default (80% of the machine's memory).
        threads: Worker threads; ``None`` leaves DuckDB's default (every core).
        temp_directory: Where DuckDB spills what does not fit in ``memory_limit``;
            ``None`` leaves DuckDB's default (``<database>.tmp`` beside the file).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    memory_limit: str | None = "1.5GB"
    threads: int | None = Field(default=None, ge=1)
    temp_directory: str | None = None

    @field_validator("memory_limit")
    @classmethod
    def _known_size(cls, value: str | None) -> str | None:
        if value is not None and not MEMORY_SIZE.match(value.strip()):
            raise ValueError(
                f"duckdb.memory_limit={value!r} should be a size such as '2GB' or "
                "'512MiB' (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
            )
        return value

    def statements(self) -> list[str]:
        """The ``SET`` statements that apply the settings (those not left to DuckDB).

        Returns:
            SQL statements, one per setting given.
        """
        found: list[str] = []
        if self.memory_limit is not None:
            found.append(f"SET memory_limit = '{self.memory_limit.strip()}'")
        if self.threads is not None:
            found.append(f"SET threads = {self.threads}")
        if self.temp_directory is not None:
            escaped = str(Path(self.temp_directory).absolute()).replace("'", "''")
            found.append(f"SET temp_directory = '{escaped}'")
        return found


def duckdb_settings(params: dict[str, Any]) -> DuckDBSettings:
    """Reads the ``duckdb`` parameters of a run (defaults when there are none).

    Args:
        params: All parameters of the run.

    Returns:
        The validated settings.
    """
    return DuckDBSettings.model_validate(params.get("duckdb") or {})


def configure_duckdb(connection: Any, settings: DuckDBSettings) -> None:
    """Applies the settings to a DuckDB database (they hold for all its connections).

    Args:
        connection: An Ibis DuckDB backend.
        settings: The settings to apply.
    """
    if settings.temp_directory is not None:
        Path(settings.temp_directory).mkdir(parents=True, exist_ok=True)
    for statement in settings.statements():
        connection.raw_sql(statement)


def out_of_memory_advice(error: BaseException, settings: DuckDBSettings) -> str | None:
    """Says which parameters to change when a run failed for want of DuckDB memory.

    DuckDB spills what does not fit to disk, but some operators (an aggregate on
    nearly unique keys over every core, for one) still need memory that grows with
    the data; the error then names DuckDB's own settings, not the run's.

    Args:
        error: What the run raised.
        settings: The run's ``duckdb`` parameters.

    Returns:
        The advice, or ``None`` when no DuckDB out-of-memory error is in the
        chain of causes.
    """
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, duckdb.OutOfMemoryException):
            return (
                f"DuckDB ran out of its working memory (duckdb.memory_limit="
                f"{settings.memory_limit or 'DuckDB default'}, duckdb.threads="
                f"{settings.threads or 'one per core'}). Give it more, e.g. "
                "`kedro run --params duckdb.memory_limit=8GB`, or fewer threads "
                "(`duckdb.threads=1`: less memory, more time)."
            )
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None
