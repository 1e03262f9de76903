"""Tests of the HTTP API, called over HTTP on a real uvicorn server."""

import httpx
import pandas as pd
import pytest

from tests.api.payloads import LINE
from tests.pipelines.inference.project import REFERENCE_DATE, TrainedProject

ONE_CUSTOMER = {
    "customer_id": "c1",
    "recency_days": 3,
    "frequency": 12,
    "monetary": 2500.0,
}


def test_health_answers_ok(client: httpx.Client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_model_describes_the_bundle_version_environment_fingerprint_and_names(
    client: httpx.Client, project: TrainedProject
):
    model = client.get("/v1/model").json()

    assert model["model_version"] == project.model_version
    assert model["environment"] == "base"
    assert model["fingerprint"]["environment"] == "base"
    assert model["fingerprint"]["n_segments"] == model["n_segments"]
    assert model["fingerprint"]["customers_in"] == 5000
    assert [feature["name"] for feature in model["features"]] == [
        "recency_days",
        "frequency",
        "monetary",
    ]
    published = project.segment_names()
    assert [row["segment_name"] for row in model["segment_names"]] == published[
        "segment_name"
    ].tolist()


def test_segments_from_features_returns_the_batch_fields(client: httpx.Client):
    response = client.post("/v1/segments", json={"customers": [ONE_CUSTOMER]})

    body = response.json()
    assert response.status_code == 200
    (segment,) = body["segments"]
    assert set(segment) == {
        "customer_id",
        "segment_id",
        "segment_name",
        "recommended_action",
        "distance_to_centre",
        "probability",
        "expected_purchases",
        "probability_alive",
        "expected_spend",
        "clv",
        "imputed_features",
        "model_version",
        "status",
    }
    # Features carry no purchase history, so no lifetime value.
    assert segment["clv"] is None
    assert segment["customer_id"] == "c1"
    assert segment["status"] == "scored"
    assert segment["model_version"] == body["model_version"]


def test_missing_feature_is_a_422_naming_the_field(client: httpx.Client):
    customer = {key: value for key, value in ONE_CUSTOMER.items() if key != "monetary"}

    response = client.post("/v1/segments", json={"customers": [customer]})

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "customers", 0, "monetary"]


def test_request_with_both_modes_is_a_422(client: httpx.Client):
    line = {
        "customer_id": "c1",
        "invoice_id": "1",
        "invoice_date": "2025-11-01T10:00:00",
        "product_id": "P1",
        "quantity": 1,
        "unit_price": 1.0,
    }

    response = client.post(
        "/v1/segments", json={"customers": [ONE_CUSTOMER], "transactions": [line]}
    )

    assert response.status_code == 422
    assert "exactly one of 'customers' or 'transactions'" in response.text


def test_batch_over_the_limit_is_a_422_naming_the_limit(client: httpx.Client):
    limit = client.get("/v1/model").json()["max_customers"]

    response = client.post(
        "/v1/segments", json={"customers": [ONE_CUSTOMER] * (limit + 1)}
    )

    assert response.status_code == 422
    assert f"at most {limit} items" in response.text


def test_attributes_without_transactions_are_a_422(client: httpx.Client):
    attributes = [{"customer_id": "c1", "age": 40}]

    response = client.post(
        "/v1/segments", json={"customers": [ONE_CUSTOMER], "attributes": attributes}
    )

    assert response.status_code == 422
    assert "'attributes' go with 'transactions'" in response.text


def test_attributes_repeating_a_customer_are_a_422_naming_the_rule(
    client: httpx.Client,
):
    attributes = [{"customer_id": "c1", "age": 40}, {"customer_id": "c1", "age": 41}]

    response = client.post(
        "/v1/segments", json={"transactions": [LINE], "attributes": attributes}
    )

    assert response.status_code == 422
    assert "rule: one row per customer" in response.text


def test_customer_whose_lines_are_all_cancelled_gets_a_status(client: httpx.Client):
    cancelled = {
        "customer_id": "c9",
        "invoice_id": "C100",
        "invoice_date": "2025-11-01T10:00:00",
        "product_id": "P1",
        "quantity": -2,
        "unit_price": 3.5,
    }
    bought = {**cancelled, "customer_id": "c8", "invoice_id": "100", "quantity": 2}

    response = client.post("/v1/segments", json={"transactions": [cancelled, bought]})

    statuses = {
        row["customer_id"]: row["status"] for row in response.json()["segments"]
    }
    assert statuses == {"c8": "scored", "c9": "no_valid_transactions"}


def test_api_batch_and_training_agree_on_the_built_in_sample(
    client: httpx.Client, project: TrainedProject
):
    data = project.path / "data"
    trained = pd.read_parquet(data / "07_model_output/customer_segments.parquet")
    batch = pd.read_parquet(data / "07_model_output/scored_customers.parquet")
    model_input = pd.read_parquet(data / "05_model_input/model_input.parquet")
    customers = model_input.sample(300, random_state=0)
    lines = pd.read_parquet(data / "01_raw/transactions.parquet")
    # Ids are floats in the raw file (guest lines have none); the API takes text.
    lines = lines.assign(
        customer_id=lines["customer_id"].astype("Int64").astype("string")
    )
    lines = lines[lines["customer_id"].isin(customers["customer_id"])]
    attributes = pd.read_csv(data / "01_raw/customers.csv", dtype={"customer_id": str})
    attributes = attributes[attributes["customer_id"].isin(customers["customer_id"])]

    from_features = client.post(
        "/v1/segments", json={"customers": customers.to_dict("records")}
    ).json()["segments"]
    from_lines = client.post(
        "/v1/segments",
        json={
            "transactions": lines.assign(
                invoice_date=lines["invoice_date"].astype("string")
            ).to_dict("records"),
            "attributes": attributes.to_dict("records"),
            "reference_date": REFERENCE_DATE,
        },
    ).json()["segments"]

    expected = (
        customers[["customer_id"]]
        .merge(trained, on="customer_id")
        .merge(batch, on="customer_id", suffixes=("_trained", "_batch"))
        .set_index("customer_id")
    )
    api_features = pd.DataFrame(from_features).set_index("customer_id")
    api_lines = pd.DataFrame(from_lines).set_index("customer_id")
    assert len(api_lines) == len(customers)
    assert (expected["segment_id_trained"] == expected["segment_id_batch"]).all()
    assert (api_features["segment_id"] == expected["segment_id_batch"]).all()
    assert (
        api_lines.loc[expected.index, "segment_id"] == expected["segment_id_batch"]
    ).all()
    pd.testing.assert_series_equal(
        api_lines.loc[expected.index, "distance_to_centre"],
        expected["distance_to_centre"].astype(float),
        check_names=False,
    )
    for column in ("clv", "probability_alive", "expected_purchases"):
        assert api_lines.loc[expected.index, column].notna().all()
        assert api_lines.loc[expected.index, column].to_numpy(
            dtype=float
        ) == pytest.approx(expected[column].to_numpy(dtype=float))
