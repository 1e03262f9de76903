"""Tests of writing, publishing and reading model bundles on disk."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from kedro.io.core import Version

from customer_segmentation.bundle import (
    BundleEnvironmentError,
    BundleIntegrityError,
    BundleMismatchError,
    BundleNotFoundError,
    BundleUntrustedError,
    CustomerValueModels,
    ModelBundleDataset,
    SegmentDescription,
    SegmentTable,
)
from customer_segmentation.bundle.storage import (
    POINTER,
    publish_bundle,
    read_bundle,
    stage_bundle,
)
from tests.bundles import tiny_bundle

NEW_CUSTOMERS = pd.DataFrame({"recency_days": [3.0, 305.0], "monetary": [5100.0, 22.0]})


def publish(root: Path, version: str, environment: str = "base") -> None:
    bundle = tiny_bundle(environment=environment, version=None)
    stage_bundle(bundle, root, version, environment)
    publish_bundle(root, version)


def dataset(root: Path, environment: str = "base", load: str | None = None):
    return ModelBundleDataset(str(root), environment, version=Version(load, None))


class WritesAMarker:
    """What an attacker would plant: building it writes a marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __setstate__(self, state: dict) -> None:
        Path(state["marker"]).write_text("code ran")

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "code ran"))


def _rewrite_manifest(folder: Path, part_file: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["parts"].values():
        if entry["file"] == part_file:
            data = (folder / part_file).read_bytes()
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["bytes"] = len(data)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_published_bundle_loads_back_and_scores_as_the_original(tmp_path):
    original = tiny_bundle(version=None)
    stage_bundle(original, tmp_path, "v1", "base")
    publish_bundle(tmp_path, "v1")

    loaded = dataset(tmp_path).load()

    assert loaded.version == "v1"
    assert loaded.segments == original.segments
    assert loaded.fingerprint == original.fingerprint
    np.testing.assert_array_equal(
        loaded.segmentation_model.predict(NEW_CUSTOMERS),
        original.segmentation_model.predict(NEW_CUSTOMERS),
    )


def test_latest_is_what_the_pointer_names_not_the_newest_folder(tmp_path):
    publish(tmp_path, "2026-02-01T00.00.00.000Z")
    publish(tmp_path, "2026-01-01T00.00.00.000Z")

    assert dataset(tmp_path).load().version == "2026-01-01T00.00.00.000Z"


def test_a_staged_bundle_is_not_served_until_published(tmp_path):
    publish(tmp_path, "v1")
    stage_bundle(tiny_bundle(version=None), tmp_path, "v2", "base")

    assert dataset(tmp_path).load().version == "v1"


def test_no_published_bundle_is_a_named_error(tmp_path):
    with pytest.raises(BundleNotFoundError, match=r"no published model bundle"):
        dataset(tmp_path).load()


def test_a_version_that_does_not_exist_is_a_named_error(tmp_path):
    publish(tmp_path, "v1")

    with pytest.raises(BundleNotFoundError, match=r"no model bundle version 'v9'.*v1"):
        dataset(tmp_path, load="v9").load()


def test_a_bundle_of_another_environment_is_refused(tmp_path):
    publish(tmp_path, "v1", environment="wholesale")

    with pytest.raises(
        BundleEnvironmentError, match=r"belongs to environment 'wholesa"
    ):
        dataset(tmp_path, environment="base").load()


def test_a_bundle_cannot_be_staged_in_another_environment(tmp_path):
    with pytest.raises(BundleEnvironmentError, match=r"cannot be published"):
        stage_bundle(tiny_bundle(environment="wholesale"), tmp_path, "v1", "base")


def test_names_for_another_number_of_segments_are_refused_at_publication(tmp_path):
    bundle = tiny_bundle()
    three_names = SegmentTable(
        segments=[
            SegmentDescription(segment_id=i, segment_name=f"s{i}") for i in range(3)
        ]
    )
    mismatched = type(bundle)(**{**bundle.__dict__, "segments": three_names})

    with pytest.raises(
        BundleMismatchError, match=r"ids \[0, 1, 2\] but the model has 2"
    ):
        stage_bundle(mismatched, tmp_path, "v1", "base")


def test_names_changed_after_publication_are_refused(tmp_path):
    publish(tmp_path, "v1")
    folder = tmp_path / "v1"
    segments = json.loads((folder / "segments.json").read_text())
    segments["segments"].append({"segment_id": 2, "segment_name": "Extra"})
    (folder / "segments.json").write_text(json.dumps(segments))

    with pytest.raises(BundleIntegrityError, match=r"segments.json: SHA-256 differs"):
        dataset(tmp_path, load="v1").load()
    _rewrite_manifest(folder, "segments.json")
    with pytest.raises(BundleMismatchError, match=r"parts disagree"):
        dataset(tmp_path, load="v1").load()


def test_a_changed_manifest_is_refused_through_the_pointer(tmp_path):
    publish(tmp_path, "v1")
    manifest = tmp_path / "v1" / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")

    with pytest.raises(BundleIntegrityError, match=r"does not match the SHA-256"):
        dataset(tmp_path).load()


def test_a_planted_pickle_model_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "marker.txt"
    publish(tmp_path, "v1")
    model_file = tmp_path / "v1" / "segmentation_model.skops"
    model_file.write_bytes(pickle.dumps(WritesAMarker(str(marker))))

    with pytest.raises(BundleIntegrityError, match=r"SHA-256 differs"):
        dataset(tmp_path).load()
    # Even with the manifest rewritten to match, the bytes are no skops file.
    _rewrite_manifest(tmp_path / "v1", "segmentation_model.skops")
    with pytest.raises(BundleIntegrityError, match=r"not a skops model file"):
        dataset(tmp_path, load="v1").load()
    assert not marker.exists()


def test_a_planted_newer_version_with_an_untrusted_type_is_never_run(tmp_path):
    marker = tmp_path / "marker.txt"
    publish(tmp_path, "2026-01-01T00.00.00.000Z")
    planted = tmp_path / "9999-12-31T00.00.00.000Z"
    planted.mkdir()
    for item in (tmp_path / "2026-01-01T00.00.00.000Z").iterdir():
        (planted / item.name).write_bytes(item.read_bytes())
    (planted / "segmentation_model.skops").write_bytes(
        skops.io.dumps(WritesAMarker(str(marker)))
    )
    _rewrite_manifest(planted, "segmentation_model.skops")

    assert dataset(tmp_path).load().version == "2026-01-01T00.00.00.000Z"
    with pytest.raises(BundleUntrustedError, match=r"untrusted type.*WritesAMarker"):
        dataset(tmp_path, load="9999-12-31T00.00.00.000Z").load()
    assert not marker.exists()


def test_the_pointer_is_replaced_whole(tmp_path):
    publish(tmp_path, "v1")
    publish(tmp_path, "v2")

    pointer = json.loads((tmp_path / POINTER).read_text())
    assert pointer["version"] == "v2"
    assert not list(tmp_path.glob(f".{POINTER}*"))
    assert not (tmp_path / ".staging").exists()


def test_read_bundle_checks_the_environment_asking(tmp_path):
    publish(tmp_path, "v1", environment="alpha")

    assert read_bundle(tmp_path / "v1", "v1", "alpha").environment == "alpha"
    with pytest.raises(BundleEnvironmentError):
        read_bundle(tmp_path / "v1", "v1", "beta")


def test_the_dataset_must_be_versioned(tmp_path):
    with pytest.raises(Exception, match=r"versioned: true"):
        ModelBundleDataset(str(tmp_path), "base")


def test_a_run_reads_back_its_own_staged_bundle_and_nobody_else_does(tmp_path):
    publish(tmp_path, "v1")
    writer = ModelBundleDataset(str(tmp_path), "base", version=Version(None, "v2"))
    writer.save(tiny_bundle(version=None))
    same_run = ModelBundleDataset(str(tmp_path), "base", version=Version(None, "v2"))
    other_run = ModelBundleDataset(str(tmp_path), "base", version=Version(None, "v3"))

    assert writer.load().version == "v2"
    assert same_run.load().version == "v2"
    assert other_run.load().version == "v1"
    assert writer.publish() == "v2"
    assert dataset(tmp_path).load().version == "v2"
    assert other_run.publish() is None


def _fitted_value_models() -> CustomerValueModels:
    fit = {"log_likelihood": -10.0, "n_customers": 6}
    return CustomerValueModels(
        status="fitted",
        time_unit="weeks",
        bg_nbd={"parameters": {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}, **fit},
        gamma_gamma={"parameters": {"p": 6.25, "q": 3.74, "v": 15.44}, **fit},
    )


def test_value_models_load_back_from_the_bundle(tmp_path):
    original = dataclasses.replace(
        tiny_bundle(version=None), customer_value_models=_fitted_value_models()
    )
    stage_bundle(original, tmp_path, "v1", "base")
    publish_bundle(tmp_path, "v1")

    loaded = dataset(tmp_path).load()

    assert loaded.customer_value_models == original.customer_value_models
    assert (tmp_path / "v1" / "customer_value_models.json").is_file()


def _as_format_1(folder: Path) -> None:
    # What a bundle published before the value models joined it looks like.
    (folder / "customer_value_models.json").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["parts"]["customer_value_models"]
    manifest["format_version"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_bundle_from_before_value_models_loads_without_them(tmp_path):
    stage_bundle(tiny_bundle(version=None), tmp_path, "v1", "base")
    _as_format_1(tmp_path / ".staging" / "v1")
    publish_bundle(tmp_path, "v1")

    loaded = dataset(tmp_path).load()

    assert loaded.customer_value_models.status == "not_in_bundle"
    assert "retrain" in loaded.customer_value_models.reason


def test_a_current_bundle_without_its_value_models_is_refused(tmp_path):
    publish(tmp_path, "v1")
    (tmp_path / "v1" / "customer_value_models.json").unlink()

    with pytest.raises(
        BundleIntegrityError, match=r"customer_value_models.json: missing"
    ):
        dataset(tmp_path).load()
