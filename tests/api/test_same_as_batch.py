"""The API and the batch inference pipeline give the same outcome for the same input.

Each case writes the request's lines as the new raw data of a copy of the trained
project, runs ``kedro run --pipelines=inference`` there through a KedroSession
with the API's input kind and reference date, and sends the same lines to the
API: same segments and statuses, or the same named error.
"""

import shutil
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.pipelines.inference.project import TrainedProject, run_pipeline

REFERENCE = "2025-12-01T18:00:00"
COLUMNS = ["customer_id", "invoice_id", "invoice_date", "product_id"]
ATTRIBUTES = "customer_id,age,gender,channel,signup_date\n"


def line(customer: str, invoice: str, day: int, quantity: float = 2) -> dict:
    return {
        "customer_id": customer,
        "invoice_id": invoice,
        "invoice_date": f"2025-11-{day:02d}T10:00:00",
        "product_id": "P1",
        "quantity": quantity,
        "unit_price": 3.5,
        "country": "France",
    }


@pytest.fixture
def batch_project(project: TrainedProject, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(project.path, copy, ignore=shutil.ignore_patterns(".run.lock"))
    return copy


def run_batch(project: Path, lines: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(lines, columns=list(line("c", "1", 1)))
    frame = frame.astype({name: "string" for name in COLUMNS[:2] + ["product_id"]})
    frame["invoice_date"] = pd.to_datetime(frame["invoice_date"])
    new = project / "data" / "01_raw" / "new"
    frame.to_parquet(new / "transactions.parquet", index=False)
    (new / "customers.csv").write_text(ATTRIBUTES)  # no attributes: header only
    run_pipeline(
        project,
        "inference",
        runtime_params={
            "input_kind": "transactions",
            "inference": {
                "feature_settings": {"reference_date": REFERENCE},
                # As the API: a request's lines are not an export.
                "scoring": {"min_history_share": 0},
            },
        },
    )
    return pd.read_parquet(project / "data/07_model_output/scored_customers.parquet")


def post(client: httpx.Client, lines: list[dict]) -> httpx.Response:
    return client.post(
        "/v1/segments", json={"transactions": lines, "reference_date": REFERENCE}
    )


def test_same_segments_and_statuses(client: httpx.Client, batch_project: Path):
    lines = [
        line("c1", "1", 1),
        line("c1", "2", 20),
        line("c2", "3", 5, quantity=40),
        line("c3", "C4", 7, quantity=-1),  # only a cancellation
    ]

    batch = run_batch(batch_project, lines).set_index("customer_id")
    api = pd.DataFrame(post(client, lines).json()["segments"]).set_index("customer_id")

    assert api.index.tolist() == batch.index.tolist() == ["c1", "c2", "c3"]
    assert api["status"].tolist() == batch["status"].tolist()
    no_segment = -1
    assert (
        api["segment_id"].fillna(no_segment).astype(int).tolist()
        == batch["segment_id"].fillna(no_segment).astype(int).tolist()
    )
    scored = batch["status"] == "scored"
    assert api.loc[scored, "distance_to_centre"].to_numpy(float) == pytest.approx(
        batch.loc[scored, "distance_to_centre"].to_numpy(float)
    )
    assert api.loc[scored, "clv"].to_numpy(float) == pytest.approx(
        batch.loc[scored, "clv"].to_numpy(float)
    )


@pytest.mark.parametrize(
    ("lines", "rule"),
    [
        ([], "rule: not empty"),
        (
            [line("c1", "C1", 1, quantity=-1), line("c2", "C2", 2, quantity=-3)],
            "rule: rows left after cleaning",
        ),
    ],
    ids=["empty", "fully_filtered"],
)
def test_same_named_error(
    client: httpx.Client, batch_project: Path, lines: list[dict], rule: str
):
    with pytest.raises(Exception, match=rule):
        run_batch(batch_project, lines)
    response = post(client, lines)

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert rule in error["msg"]
