"""Migration between runs and the versioned history that feeds it."""

import pandas as pd
import pytest
from kedro.io import DatasetError
from kedro.io.core import Version
from kedro_datasets.pandas import ParquetDataset

from customer_segmentation.pipelines.reporting.datasets import LatestVersionDataset
from customer_segmentation.pipelines.reporting.migration import (
    compare_segment_assignments,
    snapshot_segment_assignments,
)

CURRENT = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment_id": [0, 1, 1]})
NAMES = pd.DataFrame({"segment_id": [0, 1], "segment_name": ["Champions", "Lost"]})


def test_without_a_previous_version_there_is_no_migration():
    empty = pd.DataFrame(columns=["customer_id", "segment_id", "segment_name"])

    migration = compare_segment_assignments(empty, CURRENT, NAMES)

    assert migration.empty
    assert "n_customers" in migration.columns


def test_counts_customers_per_previous_and_current_segment():
    previous = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "segment_id": [0, 0, 1],
            "segment_name": ["Old0", "Old0", "Old1"],
        }
    )

    migration = compare_segment_assignments(previous, CURRENT, NAMES)

    cells = {
        (row.previous_segment_name, row.segment_name): row.n_customers
        for row in migration.itertuples()
    }
    assert cells == {("Old0", "Champions"): 1, ("Old0", "Lost"): 1, ("Old1", "Lost"): 1}


def test_new_and_departed_customers_are_counted_apart():
    previous = pd.DataFrame({"customer_id": ["a", "gone"], "segment_id": [0, 1]})

    migration = compare_segment_assignments(previous, CURRENT, NAMES)

    cells = {
        (row.previous_segment_name, row.segment_name): row.n_customers
        for row in migration.itertuples()
    }
    assert cells[("(new customer)", "Lost")] == 2
    assert cells[("segment 1", "(not in this run)")] == 1
    assert cells[("segment 0", "Champions")] == 1


def test_previous_version_without_segment_id_is_an_error():
    previous = pd.DataFrame({"customer_id": ["a"], "cluster": [0]})

    with pytest.raises(ValueError, match=r"missing column\(s\) \['segment_id'\]"):
        compare_segment_assignments(previous, CURRENT, NAMES)


def test_snapshot_holds_ids_and_names():
    snapshot = snapshot_segment_assignments(CURRENT, NAMES, pd.DataFrame())

    assert snapshot["segment_name"].tolist() == ["Champions", "Lost", "Lost"]


def test_latest_version_dataset_is_empty_before_the_first_save(tmp_path):
    dataset = LatestVersionDataset(
        str(tmp_path / "history.parquet"), columns=["customer_id", "segment_id"]
    )

    loaded = dataset.load()

    assert loaded.empty
    assert list(loaded.columns) == ["customer_id", "segment_id"]


def test_latest_version_dataset_loads_the_newest_saved_version(tmp_path):
    path = str(tmp_path / "history.parquet")
    for version, segment in (
        ("2026-01-01T00.00.00.000Z", 0),
        ("2026-02-01T00.00.00.000Z", 1),
    ):
        ParquetDataset(filepath=path, version=Version(None, version)).save(
            pd.DataFrame({"customer_id": ["a"], "segment_id": [segment]})
        )

    loaded = LatestVersionDataset(path).load()

    assert loaded["segment_id"].tolist() == [1]


def test_latest_version_dataset_is_read_only(tmp_path):
    dataset = LatestVersionDataset(str(tmp_path / "history.parquet"))

    with pytest.raises(DatasetError, match="read-only"):
        dataset.save(CURRENT)


def test_customer_ids_match_across_runs_whatever_their_stored_type():
    previous = pd.DataFrame({"customer_id": [1, 2], "segment_id": [0, 1]})
    current = pd.DataFrame({"customer_id": ["1", "2"], "segment_id": [0, 1]})

    migration = compare_segment_assignments(previous, current, NAMES)

    assert migration["n_customers"].tolist() == [1, 1]
    assert "(new customer)" not in set(migration["previous_segment_name"])
