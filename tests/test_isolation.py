"""Two environments trained one after the other in one checkout never share artefacts."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api import create_app, load_scoring_service
from customer_segmentation.bundle import BundleNotFoundError
from tests.environments import add_environment, published_version
from tests.project import run_project

ENVIRONMENTS = {"alpha": (300, 2), "beta": (200, 3)}  # customers, k


def _bundle_names(service) -> pd.Series:
    return pd.Series(
        {s.segment_id: s.segment_name for s in service.bundle.segments.segments}
    )


def test_each_environment_scores_serves_and_compares_with_its_own_artefacts(
    project_copy,
):
    roots = {
        env: add_environment(project_copy, env, customers, seed, k)
        for seed, (env, (customers, k)) in enumerate(ENVIRONMENTS.items(), start=1)
    }
    for env in ENVIRONMENTS:
        run_project(project_copy, env=env)
    for env in ENVIRONMENTS:
        run_project(project_copy, ["inference"], env=env)
    run_project(project_copy, env="alpha")  # alpha's second run: its migration

    for env, (customers, k) in ENVIRONMENTS.items():
        root = roots[env]
        version = published_version(root / "06_models/model_bundle")
        service = load_scoring_service(project_copy, env=env)
        with TestClient(create_app(service)) as client:
            served = client.get("/v1/model").json()
        assert (served["environment"], served["n_segments"]) == (env, k)
        assert served["fingerprint"]["customers_in"] == customers

        scored = pd.read_parquet(root / "07_model_output/scored_customers.parquet")
        first_version = sorted(
            folder.name
            for folder in (root / "06_models/model_bundle").iterdir()
            if not folder.name.startswith((".", "LATEST"))
        )[0]
        assert (scored["model_version"] == first_version).all()
        scored = scored[scored["status"] == "scored"]
        assert scored["segment_id"].between(0, k - 1).all()
        names = _bundle_names(service)
        assert (scored["segment_name"] == scored["segment_id"].map(names)).all()

        segments = pd.read_parquet(root / "07_model_output/customer_segments.parquet")
        assert len(segments) == customers
        assert service.model_version == version

    beta_version = published_version(roots["beta"] / "06_models/model_bundle")
    with pytest.raises(BundleNotFoundError, match=r"environment 'alpha' has no model"):
        load_scoring_service(project_copy, env="alpha", model_version=beta_version)

    migration = pd.read_csv(roots["alpha"] / "08_reporting/segment_migration.csv")
    assert migration["n_customers"].sum() == ENVIRONMENTS["alpha"][0]
    assert (migration["previous_segment_id"] == migration["segment_id"]).all()
    history = roots["beta"] / "08_reporting/segment_assignment_history.parquet"
    assert len(list(history.iterdir())) == 1
    for default_output in (
        "data/02_intermediate/segmentation.duckdb",
        "data/06_models/model_bundle",
        "data/07_model_output/customer_segments.parquet",
    ):
        assert not (project_copy / default_output).exists()


def test_an_environment_without_its_own_root_is_refused(project_copy):
    (project_copy / "conf" / "gamma").mkdir()

    with pytest.raises(Exception, match=r"conf/gamma/globals.yml"):
        run_project(project_copy, env="gamma")
