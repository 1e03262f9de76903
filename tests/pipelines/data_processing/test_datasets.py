"""Unit tests of the AbsentDataset that declares a missing input in the catalog."""

import pytest
from kedro.io import DatasetError

from customer_segmentation.pipelines.data_processing.datasets import AbsentDataset


def test_absent_dataset_loads_none():
    assert AbsentDataset().load() is None


def test_absent_dataset_refuses_to_save():
    with pytest.raises(DatasetError, match="absent input cannot be saved"):
        AbsentDataset().save({"any": "data"})
