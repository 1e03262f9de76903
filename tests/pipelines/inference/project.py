"""Builds, once per test session, a throw-away copy of the project with a trained model.

The copy holds the built-in sample twice: as the training data and as the "new"
data of the inference pipeline, so the same customers can be compared across
training, batch scoring and the API.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tests.project import PROJECT_ROOT, copy_project, run_project

REFERENCE_DATE = "2025-12-01 18:00:00"
SAMPLE_FILES = ("transactions.parquet", "customers.csv")
BUNDLE_ROOT = "data/06_models/model_bundle"


@dataclass(frozen=True)
class TrainedProject:
    """A project copy after training and one batch inference run."""

    path: Path
    model_version: str

    def segment_names(self) -> pd.DataFrame:
        """Segment ids, names and actions of the published bundle."""
        folder = self.path / BUNDLE_ROOT / self.model_version
        return pd.DataFrame(
            json.loads((folder / "segments.json").read_text())["segments"]
        )


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Runs a block inside ``path`` (the DuckDB file path is relative)."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run_pipeline(project: Path, pipeline: str, **run_kwargs) -> None:
    """Runs one registered pipeline of the project copy through a KedroSession."""
    runtime_params = {
        "feature_settings": {"reference_date": REFERENCE_DATE},
        "inference": {"feature_settings": {"reference_date": REFERENCE_DATE}},
        **run_kwargs.pop("runtime_params", {}),
    }
    with working_directory(project):
        run_project(project, [pipeline], runtime_params=runtime_params, **run_kwargs)


def copy_trainable_project(destination: Path) -> Path:
    """Copies the project with the built-in sample as training AND as new data."""
    destination.mkdir(parents=True)
    copy_project(destination)
    (destination / "data" / "01_raw" / "new").mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(
            PROJECT_ROOT / "data" / "01_raw" / name,
            destination / "data" / "01_raw" / "new" / name,
        )
    return destination


def published_version(project: Path, root: str = BUNDLE_ROOT) -> str:
    """Version the bundle root's LATEST pointer names."""
    return json.loads((project / root / "LATEST").read_text())["version"]


_BUILT: dict[str, TrainedProject] = {}


def trained_project(base: Path) -> TrainedProject:
    """Trains and batch-scores a project copy under ``base`` (once per session).

    Args:
        base: An empty folder that outlives the test session's use of it.

    Returns:
        The project path and the version of its only published model bundle.
    """
    if "project" not in _BUILT:
        project = copy_trainable_project(base)
        run_pipeline(project, "__default__")
        run_pipeline(project, "inference")
        version = published_version(project)
        _BUILT["project"] = TrainedProject(project, version)
    return _BUILT["project"]
