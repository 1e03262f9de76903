"""The engines transaction-level tests run on: DuckDB always, Spark where Java and pyspark are.

One local Spark session serves the whole test session (it takes seconds to start);
each engine-parametrised test runs with that engine as Ibis's default backend, so
``ibis.memtable`` inputs and the nodes' queries execute there.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pytest

from customer_segmentation.spark import start_spark_session

ENGINES = ("duckdb", "pyspark")


def spark_missing() -> str | None:
    """Why Spark cannot run here (no pyspark, no Java), or ``None`` when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return 'pyspark is not installed (pip install -e ".[spark]")'
    if shutil.which("java") is None:
        return "Java is not installed (apt-get install openjdk-17-jre-headless)"
    return None


def local_spark_session(warehouse: Path) -> Any:
    """A small local Spark session for tests: one core, one partition, no UI."""
    session = start_spark_session(
        {
            "spark.master": "local[1]",
            "spark.app.name": "customer-segmentation-tests",
            "spark.sql.warehouse.dir": str(warehouse),
            "spark.sql.shuffle.partitions": 1,
            "spark.default.parallelism": 1,
            "spark.ui.enabled": False,
            "spark.ui.showConsoleProgress": False,
            "spark.driver.memory": "1g",
            "spark.sql.adaptive.enabled": False,
            "spark.sql.execution.arrow.pyspark.enabled": True,
        }
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture(scope="session")
def spark_connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An Ibis connection to the test session's local Spark (skips without Spark)."""
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark engine not available: {reason}")
    session = local_spark_session(tmp_path_factory.mktemp("spark-warehouse"))
    yield ibis.pyspark.connect(session)
    session.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs the test once per engine, with that engine as Ibis's default backend."""
    if request.param == "duckdb":
        yield "duckdb"
        return
    previous = ibis.options.default_backend
    ibis.set_backend(request.getfixturevalue("spark_connection"))
    try:
        yield request.param
    finally:
        ibis.options.default_backend = previous
