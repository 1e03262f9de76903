"""A new local MLflow store starts as a copy of an empty one made once per MLflow version.

MLflow creates a store by applying its schema migrations one after the other (69 in
MLflow 3.17): about 1.2 s of processor time in every new project, every test project
and every benchmark run (docs/performance.md). The first time a version of MLflow
(with its set of migrations) creates a store on a machine, the migrations run once on
a file in the user's cache (``$XDG_CACHE_HOME/customer-segmentation/mlflow``); every
new store after that is a copy of that file. MLflow then opens it like any store: it
finds every table, checks that the schema is at its latest revision, and adds its
default experiment. An existing store is never replaced, and anything that goes wrong
leaves the store to MLflow, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from importlib.resources import files
from pathlib import Path
from typing import Any

from customer_segmentation.user_cache import user_cache_dir

logger = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "mlflow.store.db_migrations"


def template_folder() -> Path:
    """The folder of the empty stores: the user's cache, not the project.

    Returns:
        ``<user_cache_dir>/mlflow``, e.g. ``~/.cache/customer-segmentation/mlflow``.
    """
    return user_cache_dir() / "mlflow"


def template_file() -> Path:
    """The empty store of the installed MLflow, named by its version and migrations.

    Returns:
        ``<template_folder>/store-<version>-<digest of the migration file names>.db``.
    """
    import mlflow  # noqa: PLC0415 (imported by a tracked run only)

    versions = files(MIGRATIONS_PACKAGE) / "versions"
    names = sorted(entry.name for entry in versions.iterdir())
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    return template_folder() / f"store-{mlflow.__version__}-{digest}.db"


def _partial_name(target: Path) -> Path:
    # Beside the target (same file system, so that it can be renamed or linked
    # into place), unique to this process; created with the usual permissions.
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.partial")


def _build_template(target: Path) -> None:
    from mlflow.store.db.utils import _initialize_tables  # noqa: PLC0415
    from sqlalchemy import create_engine, event  # noqa: PLC0415

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial_name(target)
    engine = create_engine(f"sqlite:///{partial}")

    def _unsynced(connection: Any, _record: Any) -> None:
        # A half-written template is never renamed into place, so its writes
        # need not wait for the disk; the finished file is synced once below.
        connection.execute("PRAGMA synchronous=OFF")

    event.listen(engine, "connect", _unsynced)
    try:
        # What SqlAlchemyStore runs on an empty database (MLflow has no public call
        # for it); the default experiment is left to each store.
        _initialize_tables(engine)
    finally:
        engine.dispose()
    try:
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def start_from_template(database: Path) -> bool:
    """Makes a store that does not exist yet a copy of the empty store.

    Args:
        database: The store's SQLite file.

    Returns:
        ``True`` when the store was copied; ``False`` when it already existed or
        the copy could not be made (MLflow then creates the store itself).
    """
    if database.exists():
        return False
    template = template_file()
    partial: Path | None = None
    try:
        if not template.exists():
            _build_template(template)
        database.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial_name(database)
        shutil.copyfile(template, partial)
        # A link fails if the store appeared meanwhile (another run): that store stays.
        os.link(partial, database)
    except FileExistsError:
        return False
    except Exception as error:  # noqa: BLE001 (any failure: MLflow creates the store)
        logger.debug("MLflow store %s is left to MLflow: %s", database, error)
        return False
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return True
