"""The ``spark`` environment: the same pipelines on Spark, switched by configuration only.

Each Spark run is its own ``kedro run`` process (its own JVM), as a user runs it,
so tables must persist in the environment's warehouse to reach the next run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.spark import spark_settings
from tests.engines import spark_missing
from tests.project import run_project

KEDRO = Path(sys.executable).with_name("kedro")
PROCESSING = ["data_processing", "feature_engineering"]


def _kedro_run_on_spark(project: Path, pipelines: list[str]) -> None:
    command = [str(KEDRO), "run", "--env=spark", f"--pipelines={','.join(pipelines)}"]
    environment = os.environ | {"KEDRO_DISABLE_TELEMETRY": "true"}
    done = subprocess.run(
        command,
        check=False,
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def _features(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "04_feature/customer_features.parquet")


def test_spark_settings_are_text_and_default_to_this_python():
    settings = spark_settings(
        {"spark.master": "local[2]", "spark.ui.enabled": False, "unset": None}
    )

    assert settings == {
        "spark.master": "local[2]",
        "spark.ui.enabled": "false",
        "spark.pyspark.python": sys.executable,
        # Always: a malformed CSV line is found whichever columns a query reads.
        "spark.sql.csv.parser.columnPruning.enabled": "false",
    }


def test_spark_environment_gives_duckdb_features_and_segments_run_after_run(
    project_copy: Path,
):
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark engine not available: {reason}")
    run_project(project_copy)  # the default pipeline
    duckdb_root, spark_root = project_copy / "data", project_copy / "data/spark"

    # The default pipeline on Spark; modeling and the value models' fits are
    # pandas either way, on what each engine computed.
    _kedro_run_on_spark(project_copy, ["__default__"])
    pd.testing.assert_frame_equal(_features(spark_root), _features(duckdb_root))
    for output in ("customer_segments", "customer_value"):
        path = f"07_model_output/{output}.parquet"
        pd.testing.assert_frame_equal(
            pd.read_parquet(spark_root / path), pd.read_parquet(duckdb_root / path)
        )

    # The features alone, in the next process: they read the tables the first
    # run left in the warehouse and write over its files and tables.
    features = spark_root / "04_feature/customer_features.parquet"
    first_written = features.stat().st_mtime_ns
    _kedro_run_on_spark(project_copy, ["feature_engineering"])
    assert features.stat().st_mtime_ns > first_written
    pd.testing.assert_frame_equal(_features(spark_root), _features(duckdb_root))

    # Each engine writes under its own root only.
    assert (spark_root / "02_intermediate/spark_warehouse").is_dir()
    assert not (spark_root / "02_intermediate/segmentation.duckdb").exists()
    assert not (duckdb_root / "02_intermediate/spark_warehouse").exists()
