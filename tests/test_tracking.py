"""Experiment tracking: a tracked ``kedro run`` leaves an MLflow run with what it trained."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import mlflow
import pandas as pd
import pytest
from kedro.pipeline import Node

from customer_segmentation.tracking import SWITCH, tracking_enabled
from customer_segmentation.tracking.batched_hook import BatchedMlflowHook
from customer_segmentation.tracking.records import log_candidates
from tests.project import run_project


@pytest.fixture(scope="module")
def tracked(finished_project):
    """The MLflow client of the finished project's store and its training run."""
    client = mlflow.MlflowClient(f"sqlite:///{finished_project}/mlruns/mlflow.db")
    experiment = client.get_experiment_by_name("customer_segmentation")
    runs = client.search_runs([experiment.experiment_id])
    # The fixture's second run (reporting only) is untracked.
    assert [run.info.run_name for run in runs] == ["__default__"]
    return client, runs[0]


def test_local_store_keeps_a_write_ahead_log(finished_project):
    store = finished_project / "mlruns" / "mlflow.db"

    with sqlite3.connect(store) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _model_selection(finished_project) -> pd.DataFrame:
    return pd.read_csv(finished_project / "data/07_model_output/model_selection.csv")


def test_tracked_run_is_finished_and_tagged_with_its_environment(tracked):
    _, run = tracked

    assert run.info.status == "FINISHED"
    assert run.data.tags["kedro_env"] == "local"
    assert run.data.tags["environment"] == "base"


def test_tracked_run_logs_the_parameters_nodes_read(tracked):
    _, run = tracked

    assert "k_min=2 k_max=10" in run.data.params["model_search"]
    assert (
        "numeric=['recency_days', 'frequency', 'monetary']"
        in (run.data.params["model_features"])
    )


def test_every_candidate_is_a_metric_history_over_k(tracked, finished_project):
    client, run = tracked
    table = _model_selection(finished_project)

    for algorithm, candidates in table.groupby("algorithm"):
        history = client.get_metric_history(
            run.info.run_id, f"candidates.{algorithm}.silhouette"
        )
        assert [m.step for m in history] == candidates["k"].tolist()
        assert [m.value for m in history] == pytest.approx(
            candidates["silhouette"].tolist()
        )


def test_chosen_candidate_metrics_and_choice(tracked, finished_project):
    _, run = tracked
    chosen = _model_selection(finished_project).query("chosen").iloc[0]

    assert run.data.metrics["chosen.silhouette"] == pytest.approx(chosen["silhouette"])
    assert run.data.tags["chosen.algorithm"] == chosen["algorithm"]
    assert run.data.tags["chosen.k"] == str(chosen["k"])


def test_report_plots_and_candidate_table_are_artefacts(tracked):
    client, run = tracked
    reporting = {a.path for a in client.list_artifacts(run.info.run_id, "reporting")}
    table = {a.path for a in client.list_artifacts(run.info.run_id, "model_selection")}

    assert "reporting/segmentation_report.html" in reporting
    assert "reporting/segment_sizes.png" in reporting
    assert table == {"model_selection/candidates.json"}


def test_logged_model_scores_as_the_training_run_did(tracked, finished_project):
    client, run = tracked
    (logged,) = client.search_logged_models(
        [run.info.experiment_id], filter_string=f"source_run_id = '{run.info.run_id}'"
    )
    model = mlflow.pyfunc.load_model(logged.artifact_location)
    model_input = pd.read_parquet(
        finished_project / "data/05_model_input/model_input.parquet"
    )
    segments = pd.read_parquet(
        finished_project / "data/07_model_output/customer_segments.parquet"
    )
    signature_columns = model.metadata.get_input_schema().input_names()

    scored = model.predict(model_input[signature_columns].head(50))

    assert signature_columns[0] == "customer_id"
    expected = segments.set_index("customer_id").loc[
        scored["customer_id"], "segment_id"
    ]
    assert scored["segment_id"].tolist() == expected.tolist()
    published = (finished_project / "data/06_models/model_bundle/LATEST").read_text()
    assert scored["model_version"].iloc[0] in published


def test_untracked_run_leaves_no_store(project_copy):
    run_project(project_copy, pipeline_names=["data_processing"])

    assert not (project_copy / "mlruns").exists()


@pytest.mark.parametrize(
    ("value", "enabled"), [("on", True), ("off", False), ("0", False)]
)
def test_switch_values(value, enabled):
    assert tracking_enabled({SWITCH: value}) is enabled


def test_switch_is_on_by_default():
    assert tracking_enabled({}) is True


def test_unknown_switch_value_is_refused():
    with pytest.raises(ValueError, match=r"CUSTOMER_SEGMENTATION_TRACKING='maybe'"):
        tracking_enabled({SWITCH: "maybe"})


def test_candidate_table_without_a_chosen_row_is_refused():
    table = pd.DataFrame(
        {"algorithm": ["kmeans"], "k": [2], "silhouette": [0.5], "chosen": [False]}
    )

    with pytest.raises(ValueError, match="model_selection: expected exactly one row"):
        log_candidates(table)


def _node_hook(
    monkeypatch, active_run_id: str | None
) -> tuple[BatchedMlflowHook, list]:
    calls: list = []
    stack = [] if active_run_id is None else [active_run_id]

    def start_run(**kwargs):
        calls.append(("start_run", kwargs))
        stack.append(kwargs["run_id"])

    def active_run():
        if not stack:
            return None
        return SimpleNamespace(info=SimpleNamespace(run_id=stack[-1], run_name="r"))

    monkeypatch.setattr(mlflow, "active_run", active_run)
    monkeypatch.setattr(mlflow, "start_run", start_run)
    monkeypatch.setattr(
        mlflow, "log_params", lambda params: calls.append(("log_params", params))
    )
    hook = BatchedMlflowHook()
    hook.run_id = "run-1"
    hook.mlflow_config = SimpleNamespace(
        tracking=SimpleNamespace(run=SimpleNamespace(nested=True))
    )
    return hook, calls


def _before_node(hook: BatchedMlflowHook, name: str, k_max: int) -> None:
    node = Node(lambda search: search, "params:k_max", name, name=name)
    hook.before_node_run(node, None, {"params:k_max": k_max}, False)


def test_a_run_active_in_this_thread_is_not_restarted_before_each_node(monkeypatch):
    hook, calls = _node_hook(monkeypatch, active_run_id="run-1")

    _before_node(hook, "first", 10)
    _before_node(hook, "second", 10)
    _before_node(hook, "third", 12)

    assert calls == [("log_params", {"k_max": 10}), ("log_params", {"k_max": 12})]
    assert hook.run_id == "run-1"


def test_a_thread_without_the_active_run_restarts_it(monkeypatch):
    hook, calls = _node_hook(monkeypatch, active_run_id=None)

    _before_node(hook, "first", 10)

    assert calls == [
        ("start_run", {"run_id": "run-1", "nested": True}),
        ("log_params", {"k_max": 10}),
    ]
