"""Tests of loading the scoring service through the Kedro catalog."""

import pytest
from kedro.io import DatasetError

from customer_segmentation.api import load_scoring_service
from tests.pipelines.inference.project import TrainedProject, working_directory


def test_service_loads_the_pinned_model_version(project: TrainedProject):
    with working_directory(project.path):
        service = load_scoring_service(
            project.path, model_version=project.model_version
        )

    assert service.model_version == project.model_version
    assert service.feature_names == ["recency_days", "frequency", "monetary"]


def test_service_refuses_a_model_version_that_was_never_saved(project: TrainedProject):
    with (
        working_directory(project.path),
        pytest.raises(DatasetError, match=r"1999-01-01T00\.00\.00\.000Z"),
    ):
        load_scoring_service(project.path, model_version="1999-01-01T00.00.00.000Z")
