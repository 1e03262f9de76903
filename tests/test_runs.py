"""Unit tests of the run lock, the orphan-table clean-up and the environment-root check."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import ibis
import pytest

from customer_segmentation.runs import (
    EnvironmentLockedError,
    EnvironmentRootError,
    RunLock,
    check_environment_root,
    drop_orphan_tables,
)
from tests.project import run_project

DATABASE = "data/alpha/02_intermediate/segmentation.duckdb"
TABLES = "select table_name from information_schema.tables"
HOLD_DATABASE = (
    "import sys, time, duckdb\n"
    "connection = duckdb.connect(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "time.sleep(120)\n"
)


def test_a_second_holder_is_told_who_holds_the_environment_and_its_database(
    tmp_path,
):
    first = RunLock(tmp_path / ".run.lock", "alpha", [DATABASE])
    second = RunLock(tmp_path / ".run.lock", "alpha", [DATABASE])
    first.acquire()
    try:
        with pytest.raises(EnvironmentLockedError) as refused:
            second.acquire()
    finally:
        first.release()

    message = str(refused.value)
    assert "environment 'alpha' is in use" in message
    assert DATABASE in message
    assert "PID" in message
    assert "Wait for that run to finish" in message


def test_the_lock_can_be_taken_again_once_released(tmp_path):
    first = RunLock(tmp_path / ".run.lock", "alpha", [DATABASE])
    first.acquire()
    first.release()

    second = RunLock(tmp_path / ".run.lock", "alpha", [DATABASE])
    second.acquire()
    second.release()


def test_only_ibis_temporary_tables_are_dropped(tmp_path):
    connection = ibis.duckdb.connect(tmp_path / "test.duckdb")
    connection.raw_sql("create table ibis_duckdb_table_abc (x int)")
    connection.raw_sql("create table clean_transactions (x int)")

    dropped = drop_orphan_tables(connection)

    assert dropped == ["ibis_duckdb_table_abc"]
    remaining = connection.raw_sql(TABLES).fetchall()
    assert remaining == [("clean_transactions",)]
    connection.disconnect()


def test_an_environment_without_its_own_root_is_refused():
    with pytest.raises(EnvironmentRootError, match=r"conf/gamma/globals.yml"):
        check_environment_root(
            "gamma", {"environment": "base", "output_root": "data"}, ("local",)
        )


@pytest.mark.parametrize("env", [None, "local"])
def test_the_default_environments_share_the_base_root(env):
    check_environment_root(env, {"environment": "base"}, ("base", "local"))


def test_a_run_starts_by_dropping_orphan_tables_of_its_database(project_copy):
    database = project_copy / "data/02_intermediate/segmentation.duckdb"
    with duckdb.connect(str(database)) as db:
        db.execute("create table ibis_duckdb_table_left_by_a_killed_run (x int)")

    run_project(project_copy, ["data_processing"])

    with duckdb.connect(str(database), read_only=True) as db:
        tables = {name for (name,) in db.execute(TABLES).fetchall()}
    assert "clean_transactions" in tables
    assert not [name for name in tables if name.startswith("ibis_duckdb_table_")]


def test_a_database_held_outside_kedro_gets_a_named_error(project_copy):
    database = project_copy / "data/02_intermediate/segmentation.duckdb"
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD_DATABASE, str(database)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(EnvironmentLockedError, match=r"open in another process"):
            run_project(project_copy, ["data_processing"])
    finally:
        holder.kill()
        holder.wait()
