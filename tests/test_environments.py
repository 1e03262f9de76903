"""The ready environments on the real public datasets in ../shared/data (skipped when absent).

Each test links the shared file into a temporary project copy (nothing is copied into
the repository) and runs the project through a KedroSession with ``env=<name>``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from customer_segmentation.api import load_scoring_service
from customer_segmentation.api.service import RequestRefused
from tests.project import run_project, shared_dataset

WHOLESALE_SPEND = [
    "fresh",
    "milk",
    "grocery",
    "frozen",
    "detergents_paper",
    "delicatessen",
]
PUBLISHED_WHOLESALE_SILHOUETTE = 0.4223
PUBLISHED_MALL_SILHOUETTE = 0.5539


def _link_raw_file(project: Path, source: Path) -> None:
    (project / "data" / "01_raw" / source.name).symlink_to(source)


def _score(
    project: Path,
    env: str,
    source: Path,
    rows: int | None = None,
    reference_date: str | None = None,
) -> pd.DataFrame:
    """Scores the first ``rows`` customers of the training file (all by default)."""
    new = project / "data" / "01_raw" / "new" / source.name
    new.parent.mkdir(exist_ok=True)
    new.unlink(missing_ok=True)
    if rows is None:
        new.symlink_to(source)
    else:  # the header and the first rows, in the project copy only
        with source.open(encoding="utf-8-sig") as lines:
            new.write_text("".join(itertools.islice(lines, rows + 1)))
    settings = {"feature_settings": {"reference_date": reference_date}}
    run_project(project, ["inference"], env=env, runtime_params={"inference": settings})
    scored = pd.read_parquet(f"data/{env}/07_model_output/scored_customers.parquet")
    return scored.set_index("customer_id")


def _training_segments(env: str) -> pd.Series:
    segments = pd.read_parquet(f"data/{env}/07_model_output/customer_segments.parquet")
    return segments.set_index("customer_id")["segment_id"]


def _chosen_model(project: Path, env: str) -> pd.Series:
    selection = pd.read_csv(project / f"data/{env}/07_model_output/model_selection.csv")
    (chosen,) = selection[selection["chosen"]].to_dict("records")
    return pd.Series(chosen)


def _report(project: Path, env: str) -> dict:
    # Each environment writes under its own root, data/<env>/.
    path = project / f"data/{env}/08_reporting/data_quality.json"
    return json.loads(path.read_text())


def test_online_retail_env_reproduces_published_cleaning_figures(project_copy):
    # Only data_processing + feature_engineering: the figures are theirs, and the
    # whole default pipeline would add a K-means sweep on 4,338 customers.
    _link_raw_file(
        project_copy, shared_dataset("online_retail", "online_retail.parquet")
    )

    run_project(
        project_copy, ["data_processing", "feature_engineering"], env="online_retail"
    )

    report = _report(project_copy, "online_retail")
    assert report["rows_in"] == 541_909
    assert report["rows_in"] == report["rows_out"] + sum(
        report["rows_dropped"].values()
    )
    assert report["rows_out"] == 397_884
    assert report["customers_out"] == 4_338
    assert report["invoices_out"] == 18_532
    with duckdb.connect(
        "data/online_retail/02_intermediate/segmentation.duckdb", read_only=True
    ) as db:
        revenue = db.execute(
            "select sum(quantity * unit_price) from clean_transactions"
        ).fetchone()[0]
    assert revenue == pytest.approx(8_911_407.90, abs=0.01)
    features = pd.read_parquet(
        "data/online_retail/04_feature/customer_features.parquet"
    )
    assert len(features) == 4_338
    assert features["recency_days"].mean() == pytest.approx(92.54, abs=0.01)


def test_online_retail_ii_env_adapts_by_configuration_and_scores_the_next_year(
    project_copy,
):
    # The same shop a year earlier, under other column names ("Customer ID",
    # "Invoice", "Price"): an environment of configuration only.
    _link_raw_file(
        project_copy,
        shared_dataset("online_retail_ii", "online_retail_II_year_2009-2010.parquet"),
    )

    run_project(project_copy, env="online_retail_ii")

    # As pandas gives with the same four rules (../shared/data/online_retail_ii/
    # README.md): customer id present, quantity and price above 0, no "C" invoice.
    report = _report(project_copy, "online_retail_ii")
    assert report["rows_in"] == 525_461
    assert report["rows_out"] == 407_664
    assert report["customers_out"] == 4_312
    # Of its 10,206 cancellation lines, 367 lack a customer id: the first rule.
    assert report["rows_dropped"] == {
        "missing_customer_id": 107_927,
        "cancellation": 9_839,
        "non_positive_price": 31,
    }

    # The next year's export (UCI Online Retail, 2010-12 to 2011-12) in this
    # environment's layout, scored with the model of the year before: every
    # customer its own status, and as many scored as that dataset's published
    # cleaning keeps (4,338).
    new = project_copy / "data" / "01_raw" / "new" / "online_retail_ii.parquet"
    new.parent.mkdir(exist_ok=True)
    next_year = pd.read_parquet(
        shared_dataset("online_retail", "online_retail.parquet")
    )
    next_year.rename(
        columns={
            "CustomerID": "Customer ID",
            "InvoiceNo": "Invoice",
            "UnitPrice": "Price",
        }
    ).to_parquet(new)
    run_project(project_copy, ["inference"], env="online_retail_ii")

    scored = pd.read_parquet(
        "data/online_retail_ii/07_model_output/scored_customers.parquet"
    )
    assert scored["customer_id"].is_unique
    assert scored["status"].value_counts().to_dict() == {
        "scored": 4_338,
        "no_valid_transactions": 34,
    }
    names = pd.read_csv("data/online_retail_ii/08_reporting/segment_names.csv")
    assert set(scored["segment_name"].dropna()) <= set(names["segment_name"])


def test_mall_customers_env_segments_attribute_only_data(project_copy):
    _link_raw_file(project_copy, shared_dataset("mall_customers", "Mall_Customers.csv"))

    run_project(project_copy, env="mall_customers")

    report = _report(project_copy, "mall_customers")
    assert report["input_kind"] == "attributes"
    assert (report["rows_in"], report["rows_out"]) == (200, 200)
    assert report["tables"]["transactions"]["rows_in"] == 0
    features = pd.read_parquet(
        "data/mall_customers/04_feature/customer_features.parquet"
    )
    assert list(features.columns) == [
        "customer_id",
        "age",
        "annual_income",
        "spending_score",
        "gender",
    ]
    assert features["customer_id"].iloc[0] == "0001"
    segments = pd.read_parquet(
        "data/mall_customers/07_model_output/customer_segments.parquet"
    )
    assert sorted(segments["customer_id"]) == sorted(features["customer_id"])
    chosen = _chosen_model(project_copy, "mall_customers")
    assert (chosen["algorithm"], chosen["k"]) == ("kmeans", 5)
    assert chosen["silhouette"] == pytest.approx(PUBLISHED_MALL_SILHOUETTE, abs=0.005)
    report_page = "data/mall_customers/08_reporting/segmentation_report.html"
    assert (project_copy / report_page).exists()
    # No purchases: the bundle says there is no value model, and why.
    bundles = project_copy / "data/mall_customers/06_models/model_bundle"
    latest = json.loads((bundles / "LATEST").read_text())["version"]
    value_models = json.loads(
        (bundles / latest / "customer_value_models.json").read_text()
    )
    assert value_models["status"] == "skipped"

    # Batch scoring of the same file gives every customer its training segment.
    source = shared_dataset("mall_customers", "Mall_Customers.csv")
    scored = _score(project_copy, "mall_customers", source)
    assert (scored["status"] == "scored").all()
    training = _training_segments("mall_customers")
    assert scored["segment_id"].loc[training.index].astype(int).equals(training)

    # The API: transaction lines give none of this model's features (each
    # customer would be scored on imputed values only), so they are refused.
    service = load_scoring_service(project_copy, env="mall_customers")
    lines = pa.table(
        {
            "customer_id": ["c1"],
            "invoice_date": [dt.datetime(2025, 1, 2)],
            "quantity": [1.0],
            "unit_price": [2.0],
        }
    )
    with pytest.raises(RequestRefused, match=r"trained on customer attributes"):
        service.score_transactions(lines, None)


def test_wholesale_env_drops_published_outliers_and_counts_them(project_copy):
    _link_raw_file(
        project_copy,
        shared_dataset("wholesale_customers", "Wholesale customers data.csv"),
    )

    run_project(project_copy, env="wholesale")

    customers = _report(project_copy, "wholesale")["tables"]["customers"]
    assert customers["rows_in"] == 440
    assert customers["rows_dropped"] == {"outlier": 5}
    assert customers["dropped_customer_ids"] == {
        "outlier": ["65", "66", "75", "128", "154"]
    }
    assert customers["rows_out"] == 435
    model_input = pd.read_parquet("data/wholesale/05_model_input/model_input.parquet")
    assert len(model_input) == 435

    # The published recipe on the pipeline's model input: log, PCA(2), GMM(2).
    spend = model_input[WHOLESALE_SPEND]
    projected = PCA(n_components=2).fit_transform(np.log(spend))
    labels = GaussianMixture(n_components=2, random_state=101).fit_predict(projected)
    silhouette = silhouette_score(projected, labels)
    print(f"wholesale GMM-2 silhouette after log + PCA: {silhouette:.4f}")  # noqa: T201
    assert silhouette == pytest.approx(PUBLISHED_WHOLESALE_SILHOUETTE, abs=0.005)

    # The same by configuration alone: the pipeline's chosen model (log1p, no
    # scaling, PCA step, pinned 2-component mixture).
    chosen = _chosen_model(project_copy, "wholesale")
    assert (chosen["algorithm"], chosen["k"]) == ("gmm_full", 2)
    assert chosen["silhouette"] == pytest.approx(
        PUBLISHED_WHOLESALE_SILHOUETTE, abs=0.005
    )

    # Batch scoring: the outlier rule only kept the five out of the fit, so
    # they are scored too, and a customer's segment does not depend on the
    # batch (the first 80 rows hold three of them).
    source = shared_dataset("wholesale_customers", "Wholesale customers data.csv")
    scored = _score(project_copy, "wholesale", source)
    assert len(scored) == 440
    assert (scored["status"] == "scored").all()
    training = _training_segments("wholesale")
    assert scored["segment_id"].loc[training.index].astype(int).equals(training)
    first_rows = _score(project_copy, "wholesale", source, rows=80)
    assert len(first_rows) == 80
    assert first_rows["segment_id"].equals(scored["segment_id"].loc[first_rows.index])

    # The model takes log1p of each spend, so the published domains start at 0
    # (they were -1e12 from max_abs_value): the API refuses a negative spend.
    service = load_scoring_service(project_copy, env="wholesale")
    assert {service.domains[column].minimum for column in WHOLESALE_SPEND} == {0}


def test_customer_personality_env_models_derived_spend_and_age(project_copy):
    source = shared_dataset("customer_personality", "marketing_campaign.csv")
    _link_raw_file(project_copy, source)

    run_project(project_copy, env="customer_personality")

    customers = _report(project_copy, "customer_personality")["tables"]["customers"]
    assert customers["rows_in"] == 2_240
    assert customers["rows_dropped"] == {"implausible_year_birth": 3}
    assert customers["examples"] == {
        "implausible_year_birth": ["1893.0", "1899.0", "1900.0"]
    }
    assert customers["rows_out"] == 2_237
    # The same figures computed independently with pandas from the raw file.
    raw = pd.read_csv(source, sep="\t", dtype={"ID": str})
    raw = raw[raw["Year_Birth"] >= 1910].set_index("ID")
    spend = [
        "MntWines",
        "MntFruits",
        "MntMeatProducts",
        "MntFishProducts",
        "MntSweetProducts",
        "MntGoldProds",
    ]
    features = pd.read_parquet(
        "data/customer_personality/04_feature/customer_features.parquet"
    )
    features = features.set_index("customer_id").loc[raw.index]
    assert features["total_spend"].tolist() == raw[spend].sum(axis=1).tolist()
    assert features["age"].tolist() == (2014 - raw["Year_Birth"]).tolist()
    model_input = pd.read_parquet(
        "data/customer_personality/05_model_input/model_input.parquet"
    )
    assert list(model_input.columns) == ["customer_id", "income", "total_spend", "age"]
    segments = pd.read_parquet(
        "data/customer_personality/07_model_output/customer_segments.parquet"
    )
    assert sorted(segments["customer_id"]) == sorted(raw.index)
    profiles = pd.read_csv(
        "data/customer_personality/08_reporting/segment_profiles.csv"
    )
    assert {"total_spend_mean", "age_mean"} <= set(profiles.columns)

    # Batch scoring of the same export (so at its date): the training segments,
    # and the three implausible birth years get a status instead of a segment.
    scored = _score(
        project_copy, "customer_personality", source, reference_date="2014-06-30"
    )
    assert scored["status"].value_counts().to_dict() == {
        "scored": 2_237,
        "no_valid_attributes": 3,
    }
    training = _training_segments("customer_personality")
    assert scored["segment_id"].loc[training.index].astype(int).equals(training)
