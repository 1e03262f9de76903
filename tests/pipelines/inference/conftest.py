"""Fixtures of the inference pipeline tests."""

import pytest

from .project import TrainedProject, trained_project


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    """The project copy, trained and batch-scored on the built-in sample."""
    return trained_project(tmp_path_factory.getbasetemp() / "trained_project")
