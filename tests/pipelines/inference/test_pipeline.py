"""Tests of the inference pipeline: its shape, and runs on a trained project copy."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from kedro.pipeline import Node, Pipeline

from customer_segmentation import pipeline_registry
from customer_segmentation.pipelines.data_processing import nodes as processing
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)
from customer_segmentation.pipelines.feature_engineering import nodes as features
from customer_segmentation.pipelines.inference import create_pipeline
from customer_segmentation.pipelines.inference.nodes import (
    SCORED_WITH_VALUE_COLUMNS,
    select_bundle_model_input,
)

from .project import REFERENCE_DATE, TrainedProject, run_pipeline

SCORED = "data/07_model_output/scored_customers.parquet"


def test_inference_reuses_the_training_processing_and_feature_functions():
    functions = {node.func for node in create_pipeline().nodes}

    assert processing.flag_transactions in functions
    assert features.compute_customer_features in functions
    assert select_bundle_model_input in functions
    assert features.select_model_input not in functions  # the bundle's columns


def test_inference_reads_new_raw_data_the_bundle_and_the_shared_settings():
    inputs = create_pipeline().inputs()

    assert {"inference.raw_transactions", "inference.raw_customers"} <= inputs
    assert "model_bundle" in inputs
    # The value models come from the bundle, not from a dataset of their own.
    assert not any(name.endswith("customer_value_models") for name in inputs)
    assert not {"segmentation_model", "segment_names"} & inputs
    assert "params:model_features" not in inputs
    assert "params:cleaning_rules" in inputs
    assert "params:inference.feature_settings" in inputs


def identity(value: int) -> int:
    return value


def test_default_pipeline_leaves_inference_out(monkeypatch: pytest.MonkeyPatch):
    found = {
        "modeling": Pipeline([Node(identity, "a", "b", name="train_node")]),
        "inference": Pipeline([Node(identity, "c", "d", name="score_node")]),
    }
    monkeypatch.setattr(pipeline_registry, "find_pipelines", lambda **_: found)

    default = pipeline_registry.register_pipelines()["__default__"]

    # In __default__ a training node is under its stage's and pipeline's namespaces.
    assert [node.name for node in default.nodes] == ["segmentation.modeling.train_node"]


def test_batch_scores_every_customer_with_the_resolved_model_version(
    project: TrainedProject,
):
    scored = pd.read_parquet(project.path / SCORED)

    assert list(scored.columns) == list(SCORED_WITH_VALUE_COLUMNS)
    assert scored["customer_id"].is_unique
    assert scored["clv"].notna().all()
    assert (scored["status"] == "scored").all()
    assert (scored["model_version"] == project.model_version).all()


def test_batch_matches_the_training_assignments(project: TrainedProject):
    scored = pd.read_parquet(project.path / SCORED)
    trained = pd.read_parquet(
        project.path / "data/07_model_output/customer_segments.parquet"
    )

    both = trained.merge(scored, on="customer_id", suffixes=("_trained", "_batch"))

    assert len(both) == len(trained)
    assert (both["segment_id_trained"] == both["segment_id_batch"]).all()


def test_batch_lifetime_value_matches_the_training_one(project: TrainedProject):
    # The new data is the training sample at the same reference date, scored
    # with the training's value models: the same value for every customer.
    scored = pd.read_parquet(project.path / SCORED)
    trained = pd.read_parquet(
        project.path / "data/07_model_output/customer_value.parquet"
    )

    both = trained.merge(scored, on="customer_id", suffixes=("_trained", "_batch"))

    assert len(both) == len(trained)
    for column in ("clv", "probability_alive", "expected_purchases"):
        assert both[f"{column}_batch"].to_numpy(dtype=float) == pytest.approx(
            both[f"{column}_trained"].to_numpy(dtype=float)
        )


def test_batch_names_segments_from_the_bundle(project: TrainedProject):
    scored = pd.read_parquet(project.path / SCORED)
    names = project.segment_names().set_index("segment_id")["segment_name"]

    actions = project.segment_names().set_index("segment_id")["recommended_action"]

    assert scored["segment_name"].notna().all()
    assert (scored["segment_name"] == scored["segment_id"].map(names)).all()
    assert (scored["recommended_action"] == scored["segment_id"].map(actions)).all()


@pytest.mark.parametrize("min_invoices", [2])
def test_min_invoices_parameter_flags_short_histories(
    project: TrainedProject, min_invoices: int
):
    run_pipeline(
        project.path,
        "inference",
        runtime_params={"inference": {"scoring": {"min_invoices": min_invoices}}},
    )
    scored = pd.read_parquet(project.path / SCORED)
    run_pipeline(project.path, "inference")  # leave the default output behind

    one_invoice = pd.read_parquet(
        project.path / "data/04_feature/inference_customer_features.parquet"
    ).query("frequency < @min_invoices")["customer_id"]
    short = scored[scored["customer_id"].isin(one_invoice)]
    assert len(short) > 0
    assert (short["status"] == "insufficient_history").all()
    assert short["segment_id"].isna().all()


def test_pinned_model_version_is_the_one_reported(project: TrainedProject):
    run_pipeline(
        project.path,
        "inference",
        load_versions={"model_bundle": project.model_version},
    )

    scored = pd.read_parquet(project.path / SCORED)
    assert (scored["model_version"] == project.model_version).all()


def _score_edited_export(
    project: TrainedProject,
    tmp_path: Path,
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    **run_kwargs,
) -> None:
    # Batch scoring in a copy of the trained project, its new lines edited.
    copy = tmp_path / "project"
    shutil.copytree(project.path, copy, ignore=shutil.ignore_patterns(".run.lock"))
    new = copy / "data" / "01_raw" / "new" / "transactions.parquet"
    edit(pd.read_parquet(new)).to_parquet(new, index=False)
    run_pipeline(copy, "inference", **run_kwargs)


def _lapsed_customers_only(lines: pd.DataFrame) -> pd.DataFrame:
    last = lines.groupby("customer_id")["invoice_date"].transform("max")
    return lines[last < pd.Timestamp("2025-10-01")]


def _last_month(lines: pd.DataFrame) -> pd.DataFrame:
    start = pd.Timestamp(REFERENCE_DATE) - pd.Timedelta(days=30)
    return lines[lines["invoice_date"] >= start]


def _in_cents(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.assign(unit_price=lines["unit_price"] * 100)


NO_REFERENCE_DATE = {"inference": {"feature_settings": {"reference_date": None}}}


@pytest.mark.parametrize(
    ("edit", "runtime_params", "message"),
    [
        (_last_month, {}, r"reaches back at most \d+ days"),
        # Every line valid: without the rule, three in four customers became
        # "Big Spenders" (measured on the sample before the rule).
        (
            _in_cents,
            {},
            r"column 'monetary' has a median of [\d,.]+ over \d+ customers, above "
            r"the training's 99th percentile .* "
            r"inference.scoring.scale_check_min_customers",
        ),
        # Their own last line would have been "today": customers who stopped
        # buying two months before the export would have looked recent. Their
        # lines still reach back far enough for min_history_share.
        (
            _lapsed_customers_only,
            NO_REFERENCE_DATE,
            r"has its last clean line on 2025-09-\d\d, before the training's last "
            r"purchase on 2025-11-\d\d, and no reference date is set",
        ),
    ],
    ids=[
        "recent lines only",
        "cents for a model in units",
        "lapsed customers only, no reference date",
    ],
)
def test_an_export_the_model_cannot_score_honestly_stops_with_a_named_error(
    project: TrainedProject, tmp_path: Path, edit, runtime_params, message
):
    with pytest.raises(InputValidationError, match=message):
        _score_edited_export(project, tmp_path, edit, runtime_params=runtime_params)
