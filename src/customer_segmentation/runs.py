"""One run at a time per environment: the run lock, and clean-up of what killed runs left."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import sys
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

LOCK_FILE = ".run.lock"
# ibis writes a table under this temporary name, then renames it; a run killed
# in between leaves it behind.
ORPHAN_TABLE_PREFIX = "ibis_duckdb_table_"


class EnvironmentLockedError(RuntimeError):
    """Another run of the same environment is in progress."""


class EnvironmentRootError(RuntimeError):
    """An environment has no output root of its own."""


def check_environment_root(
    env: str | None, globals_: dict[str, Any], shared_envs: tuple[str, ...]
) -> None:
    """Refuses an environment that would write into another environment's root.

    Args:
        env: The run's environment (``None`` = the default).
        globals_: Merged ``globals.yml`` of base and ``env``.
        shared_envs: Environments that use base's root (the default and local).

    Raises:
        EnvironmentRootError: If ``env`` does not name itself in its globals.
    """
    if env is None or env in shared_envs:
        return
    if globals_.get("environment") != env:
        raise EnvironmentRootError(
            f"environment {env!r} has no output root of its own, so it would "
            f"write into {globals_.get('environment')!r}'s "
            f"({globals_.get('output_root')!r}); add conf/{env}/globals.yml with "
            f"'environment: {env}' and 'output_root: data/{env}'"
        )


class RunLock:
    """An exclusive lock on one environment's outputs, held for a whole run.

    The lock is an OS file lock (``flock``), so the system releases it when the
    holder dies, however it dies. The file records who holds it, for the
    message the next run gets.

    Args:
        path: Lock file, in the environment's output root.
        environment: Environment name, for messages.
        databases: DuckDB files of the environment, for messages.
    """

    def __init__(self, path: Path, environment: str, databases: list[str]) -> None:
        self.path = path
        self.environment = environment
        self.databases = databases
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Takes the lock, or says who holds it.

        Raises:
            EnvironmentLockedError: If another process holds it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read()
            handle.close()
            raise EnvironmentLockedError(self._busy_message(holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "command": " ".join(sys.argv),
                    "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "databases": self.databases,
                }
            )
        )
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Releases the lock (a no-op when not held)."""
        if self._handle is None:
            return
        self._handle.truncate(0)
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    def _busy_message(self, holder_text: str) -> str:
        try:
            holder = json.loads(holder_text)
        except json.JSONDecodeError:
            holder = {}
        pid = holder.get("pid", "unknown")
        databases = ", ".join(holder.get("databases") or self.databases) or "none"
        return (
            f"environment {self.environment!r} is in use: another run (PID {pid}, "
            f"'{holder.get('command', '?')}', started {holder.get('started', '?')}) "
            f"holds its DuckDB database {databases} (lock file {self.path}). Wait "
            f"for that run to finish, or stop it (kill {pid}), then run again; to "
            "run side by side, use another environment (--env=<name>), which has "
            "its own database and outputs."
        )


def drop_orphan_tables(connection: Any) -> list[str]:
    """Drops the temporary tables interrupted ibis writes left in a database.

    Args:
        connection: An ibis DuckDB backend.

    Returns:
        Names of the dropped tables, sorted.
    """
    # information_schema, not list_tables(): the latter fails with duckdb 2.
    rows = connection.raw_sql(
        "select table_name from information_schema.tables "
        f"where starts_with(table_name, '{ORPHAN_TABLE_PREFIX}')"
    ).fetchall()
    orphans = sorted(str(name) for (name,) in rows)
    for name in orphans:
        connection.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
    if orphans:
        logger.warning(
            "Dropped %d orphan temporary table(s): %s", len(orphans), orphans
        )
    return orphans


def drop_tables_now_views(connection: Any, names: list[str]) -> list[str]:
    """Drops tables that the catalog now saves as views (DuckDB cannot replace them).

    Args:
        connection: An ibis DuckDB backend.
        names: Table names the catalog saves as views.

    Returns:
        Names of the dropped tables, sorted.
    """
    if not names:
        return []
    listed = ", ".join("'" + name.replace("'", "''") + "'" for name in names)
    rows = connection.raw_sql(
        "select table_name from information_schema.tables "
        f"where table_type = 'BASE TABLE' and table_name in ({listed})"
    ).fetchall()
    tables = sorted(str(name) for (name,) in rows)
    for name in tables:
        connection.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
    if tables:
        logger.info("Dropped table(s) now saved as views: %s", tables)
    return tables
