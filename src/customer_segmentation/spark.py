"""The Spark session of the ``spark`` environment: built from ``conf/<env>/spark.yml`` by a hook.

Kedro's PySpark starters start the session in ``after_context_created``; here the
hook does it only when the environment's engine (``engine`` in ``globals.yml``) is
``pyspark``, so the DuckDB environments never start a JVM. Settings Spark fixes
at start-up (master, driver memory, warehouse and metastore) must be given here:
set later, on a connection, they raise ``CANNOT_MODIFY_CONFIG`` or are ignored.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl

logger = logging.getLogger(__name__)

SPARK_ENGINE = "pyspark"
PYTHON_SETTING = "spark.pyspark.python"
WAREHOUSE_SETTING = "spark.sql.warehouse.dir"
METASTORE_SETTING = "spark.hadoop.javax.jdo.option.ConnectionURL"
APP_NAME_SETTING = "spark.app.name"
# Settings the reading rules rely on, whatever spark.yml says. Spark's CSV reader
# otherwise checks a line's number of fields against the columns a query reads
# only, so a line with a stray separator (values moved one column along) passed
# the catalog's FAILFAST mode unseen.
REQUIRED_SETTINGS = {"spark.sql.csv.parser.columnPruning.enabled": False}


def spark_settings(settings: dict[str, Any]) -> dict[str, str]:
    """The session settings as Spark wants them: text, the Python of this process.

    Args:
        settings: Contents of ``spark.yml``; a null ``spark.pyspark.python`` (or
            none) means the interpreter running Kedro, whose packages the Python
            workers (user-defined functions, pandas conversions) need.

    Returns:
        Setting name -> value as text, without nulls, with ``REQUIRED_SETTINGS``.
    """
    found = {key: value for key, value in settings.items() if value is not None}
    found.setdefault(PYTHON_SETTING, sys.executable)
    found.update(REQUIRED_SETTINGS)
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in found.items()
    }


def start_spark_session(settings: dict[str, Any]) -> Any:
    """Starts (or returns the running) Spark session with the given settings.

    The Python workers are the interpreter of ``spark.pyspark.python``: PySpark
    starts local workers with ``PYSPARK_PYTHON`` (the setting alone reaches only
    cluster workers), so both are set. Folders of a local warehouse are created.

    Args:
        settings: Spark settings, e.g. ``spark.master``, ``spark.driver.memory``,
            ``spark.sql.warehouse.dir``, ``spark.sql.catalogImplementation``.

    Returns:
        The ``pyspark.sql.SparkSession``.
    """
    from pyspark.sql import SparkSession  # noqa: PLC0415 (optional extra "spark")

    conf = spark_settings(settings)
    os.environ["PYSPARK_PYTHON"] = conf[PYTHON_SETTING]
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    warehouse = conf.get(WAREHOUSE_SETTING)
    if warehouse and "://" not in warehouse:
        Path(warehouse).mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session


class SparkHooks:
    """Starts the Spark session of an environment whose engine is ``pyspark``.

    Ibis catalog entries then connect to it (``backend: pyspark`` finds the
    running session), so every dataset and node of the run shares one session.
    """

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        """Starts Spark from ``spark.yml`` when the environment's engine is Spark.

        Args:
            context: The Kedro context.
        """
        if context.config_loader["globals"].get("engine") != SPARK_ENGINE:
            return
        settings = dict(context.config_loader["spark"])
        settings.setdefault(APP_NAME_SETTING, context.project_path.name)
        session = start_spark_session(settings)
        logger.info(
            "Spark %s session on %s (environment %r)",
            session.version,
            session.sparkContext.master,
            context.env,
        )
