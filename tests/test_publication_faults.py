"""A run that fails at any step before its bundle is published leaves the last one in force."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from customer_segmentation.api import create_app, load_scoring_service
from customer_segmentation.bundle import storage
from tests.environments import add_environment, published_version
from tests.project import close_ibis_connections, copy_project, run_project

ENV = "alpha"
RETRAIN_WITH_THREE_SEGMENTS = {"model_choice": {"algorithm": "kmeans", "k": 3}}


@pytest.fixture(scope="module")
def trained_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with environment alpha trained once (two segments)."""
    project = copy_project(tmp_path_factory.mktemp("trained"))
    add_environment(project, ENV, customers=300, seed=1, k=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        run_project(project, env=ENV)
    return project


@pytest.fixture
def project_copy(
    trained_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh copy of the trained project for each test, which runs inside it."""
    project = Path(shutil.copytree(trained_once, tmp_path / "project"))
    monkeypatch.chdir(project)
    yield project
    close_ibis_connections()


@pytest.fixture
def trained(project_copy: Path) -> Path:
    """Output root of environment alpha in the test's copy."""
    return project_copy / "data" / ENV


def _block_saving(project: Path, root: Path, dataset: str, entry: dict) -> None:
    # A file where the dataset's folder should be: saving it fails mid-run.
    (root / "blocked").write_text("not a folder")
    override = {dataset: {**entry, "filepath": f"data/{ENV}/blocked/{dataset}"}}
    (project / "conf" / ENV / "catalog_fault.yml").write_text(yaml.safe_dump(override))


def _fail_before_assembly(project, root, monkeypatch):
    _block_saving(project, root, "segment_rules_summary", {"type": "json.JSONDataset"})


def _fail_while_staging(project, root, monkeypatch):
    write_part = storage.write_part

    def write_all_but_the_fingerprint(folder, part, value):
        if part.name == "fingerprint":
            raise OSError("disk full")
        return write_part(folder, part, value)

    monkeypatch.setattr(storage, "write_part", write_all_but_the_fingerprint)


def _fail_after_staging(project, root, monkeypatch):
    _block_saving(project, root, "segmentation_report", {"type": "text.TextDataset"})


def _fail_before_the_pointer(project, root, monkeypatch):
    def crash(root, version):
        raise OSError("killed before LATEST was replaced")

    monkeypatch.setattr(storage, "write_pointer", crash)


FAULTS = {
    "model fitted, names not yet saved": _fail_before_assembly,
    "while writing the bundle": _fail_while_staging,
    "bundle staged, report not saved": _fail_after_staging,
    "bundle moved, pointer not replaced": _fail_before_the_pointer,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_run_leaves_the_previous_bundle_in_force(
    project_copy, trained, monkeypatch, fault
):
    bundle_root = trained / "06_models/model_bundle"
    previous = published_version(bundle_root)
    previous_names = json.loads((bundle_root / previous / "segments.json").read_text())
    FAULTS[fault](project_copy, trained, monkeypatch)

    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure will do
        run_project(project_copy, env=ENV, runtime_params=RETRAIN_WITH_THREE_SEGMENTS)
    monkeypatch.undo()

    # The failed run got past the model fit: its segments have three ids.
    segments = pd.read_parquet(trained / "07_model_output/customer_segments.parquet")
    assert segments["segment_id"].nunique() == 3
    moved = fault == "bundle moved, pointer not replaced"
    assert len(storage.list_versions(bundle_root)) == (2 if moved else 1)
    assert published_version(bundle_root) == previous
    assert not list((bundle_root / ".staging").glob("*"))
    run_project(project_copy, ["inference"], env=ENV)
    scored = pd.read_parquet(trained / "07_model_output/scored_customers.parquet")
    names = {s["segment_id"]: s["segment_name"] for s in previous_names["segments"]}
    assert (scored["model_version"] == previous).all()
    scored = scored[scored["status"] == "scored"]
    assert scored["segment_id"].between(0, 1).all()
    assert (scored["segment_name"] == scored["segment_id"].map(names)).all()
    with TestClient(create_app(load_scoring_service(project_copy, env=ENV))) as api:
        served = api.get("/v1/model").json()
    assert served["model_version"] == previous
    assert [s["segment_name"] for s in served["segment_names"]] == list(names.values())


def test_the_next_successful_run_publishes_after_a_failed_one(
    project_copy, trained, monkeypatch
):
    bundle_root = trained / "06_models/model_bundle"
    _fail_while_staging(project_copy, trained, monkeypatch)
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure will do
        run_project(project_copy, env=ENV, runtime_params=RETRAIN_WITH_THREE_SEGMENTS)
    monkeypatch.undo()

    run_project(project_copy, env=ENV, runtime_params=RETRAIN_WITH_THREE_SEGMENTS)

    service = load_scoring_service(project_copy, env=ENV)
    assert service.model_version == published_version(bundle_root)
    assert service.bundle.n_segments == 3
    assert not (bundle_root / ".staging").exists()
