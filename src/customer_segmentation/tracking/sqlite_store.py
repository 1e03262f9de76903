"""The local MLflow store's SQLite settings: a write-ahead log, synced at checkpoints.

MLflow commits every change to its store on its own, and creating a store applies
MLflow's schema migrations, one commit each. With SQLite's defaults (a rollback
journal, ``synchronous=FULL``) every commit waits for the disk, several times; on
the 2-core development machine a fresh store took 6.4 to 7.2 s of wall time for
about 1.7 s of processor time (docs/performance.md). The project's local store
(``sqlite:///...`` in ``mlflow.yml``) therefore runs with:

- ``journal_mode=WAL``: commits are appended to ``mlflow.db-wal`` next to the
  database and copied into it at checkpoints. The setting is kept in the file.
  Readers (``mlflow ui``) and the writing run do not block each other. The store
  must be on a local disk, not a network file system.
- ``synchronous=NORMAL`` (on each connection of the run): the write-ahead log is
  synced at checkpoints, not at every commit.

The run's connections to the store are closed when the process exits
(``collector.py``), which checkpoints the log into the database and removes it.

The database stays consistent whatever stops the process, the operating system or
the power. A crash of the process loses nothing; an operating-system crash or a
power cut can lose the last commits before it (a run's latest parameters, metrics,
artefact records or its final status), never corrupt what was written before.
Another tracking URI (a server, another database) is left as it is.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from customer_segmentation.collector import close_at_exit

logger = logging.getLogger(__name__)

SQLITE_PREFIX = "sqlite:///"
JOURNAL_MODE = "WAL"
SYNCHRONOUS = "NORMAL"
# Real paths of the store files the settings apply to (any other SQLite
# database opened through SQLAlchemy in the process is left alone).
_STORES: set[str] = set()
# The process's connections to those stores (SQLAlchemy pools a few), closed at exit.
_CONNECTIONS: list[sqlite3.Connection] = []


def sqlite_store_file(tracking_uri: str | None) -> Path | None:
    """The database file of a local SQLite tracking URI.

    Args:
        tracking_uri: MLflow's tracking URI, e.g. ``sqlite:///mlruns/mlflow.db``
            (relative to the working directory, as SQLite opens it) or
            ``sqlite:////var/mlflow.db``.

    Returns:
        The file, or ``None`` for any other store (a server, a folder, another
        database, an in-memory SQLite database).
    """
    if tracking_uri is None or not tracking_uri.startswith(SQLITE_PREFIX):
        return None
    path = tracking_uri[len(SQLITE_PREFIX) :].split("?", 1)[0]
    if path in ("", ":memory:"):
        return None
    return Path(path)


def use_store_settings(database: Path) -> None:
    """Applies the settings above to every connection later opened to ``database``.

    Args:
        database: The store's SQLite file (it need not exist yet).
    """
    _STORES.add(os.path.realpath(database))
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        close_at_exit(_close_store_connections)


def _close_store_connections() -> None:
    while _CONNECTIONS:
        _CONNECTIONS.pop().close()


def _on_connect(connection: Any, _record: Any) -> None:
    if not isinstance(connection, sqlite3.Connection):
        return
    main = connection.execute("PRAGMA database_list").fetchone()
    if main is None or os.path.realpath(main[2] or ":memory:") not in _STORES:
        return
    _CONNECTIONS.append(connection)
    try:
        (mode,) = connection.execute(f"PRAGMA journal_mode={JOURNAL_MODE}").fetchone()
    except sqlite3.OperationalError as error:
        # Switching an existing store needs it to itself; another process (e.g.
        # mlflow ui) has it open: keep its journal and the full syncs.
        logger.debug("MLflow store %s keeps its journal mode: %s", main[2], error)
        return
    if str(mode).upper() == JOURNAL_MODE:
        # NORMAL is only crash-safe with a write-ahead log.
        connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
