"""The request contract over HTTP: domains, short errors, reference dates, body limit, log."""

import datetime as dt
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.api.payloads import LINE

CUSTOMER = {"customer_id": "c1", "recency_days": 3, "frequency": 12, "monetary": 250.0}


def only_error(response: httpx.Response) -> dict:
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    return error


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("recency_days", -1, "greater_than_equal"),
        ("monetary", -1e12, "greater_than_equal"),
        ("frequency", 2.5, "int_from_float"),
        ("frequency", "12", "value_error"),
        ("monetary", " 3 ", "value_error"),
        ("monetary", True, "value_error"),
    ],
)
def test_feature_outside_its_domain_is_a_422_naming_field_and_rule(
    client: httpx.Client, field: str, value: object, rule: str
):
    response = client.post(
        "/v1/segments", json={"customers": [{**CUSTOMER, field: value}]}
    )

    error = only_error(response)
    assert error["loc"] == ["body", "customers", 0, field]
    assert error["type"] == rule


def test_a_422_quotes_only_a_short_prefix_of_the_bad_value(client: httpx.Client):
    huge = "x" * 100_000

    response = client.post(
        "/v1/segments", json={"customers": [{**CUSTOMER, "customer_id": huge}]}
    )

    error = only_error(response)
    assert error["loc"] == ["body", "customers", 0, "customer_id"]
    assert error["type"] == "string_too_long"
    assert error["input"] == "x" * 40 + "..."
    assert len(response.content) < 1000


def test_many_bad_rows_give_a_bounded_answer(client: httpx.Client):
    rows = [
        {**CUSTOMER, "customer_id": f"c{i}", "recency_days": -1} for i in range(500)
    ]

    response = client.post("/v1/segments", json={"customers": rows})

    details = response.json()["detail"]
    assert response.status_code == 422
    assert len(details) == 21
    assert details[-1]["msg"] == "480 more error(s) not shown"


def test_a_missing_feature_is_scored_and_flagged_as_imputed(client: httpx.Client):
    response = client.post(
        "/v1/segments", json={"customers": [{**CUSTOMER, "monetary": None}]}
    )

    (segment,) = response.json()["segments"]
    assert segment["status"] == "scored"
    assert segment["imputed_features"] == ["monetary"]


def test_non_json_body_is_a_400(client: httpx.Client):
    response = client.post(
        "/v1/segments", content=b"{not json", headers={"content-type": JSON_TYPE}
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "body is not valid JSON"}


JSON_TYPE = "application/json"


def test_without_reference_date_recency_is_measured_at_the_end_of_todays_utc_date(
    client: httpx.Client,
):
    today = dt.datetime.now(dt.UTC).date()

    body = client.post("/v1/segments", json={"transactions": [LINE]}).json()

    reference = dt.datetime.fromisoformat(body["reference_date"])
    # The midnight that ends the server's UTC date (the test may cross midnight).
    assert reference.time() == dt.time()
    assert reference.date() in {today + dt.timedelta(days=1), today + dt.timedelta(2)}
    assert body["data_quality"] == {"rows_in": 1, "rows_dropped": {}, "rows_out": 1}


def test_a_given_reference_date_is_the_one_stated(client: httpx.Client):
    body = client.post(
        "/v1/segments",
        json={"transactions": [LINE], "reference_date": "2025-12-01T00:00:00"},
    ).json()

    assert body["reference_date"] == "2025-12-01T00:00:00"


def test_reference_date_before_a_line_is_a_422_naming_the_line(client: httpx.Client):
    late = {**LINE, "invoice_date": "2025-12-05T10:00:00"}

    response = client.post(
        "/v1/segments",
        json={"transactions": [LINE, late], "reference_date": "2025-12-01"},
    )

    error = only_error(response)
    assert error["loc"] == ["body", "transactions", 1, "invoice_date"]
    assert "rule: reference date not before the lines" in error["msg"]


def test_epoch_numbers_are_not_dates(client: httpx.Client):
    response = client.post(
        "/v1/segments", json={"transactions": [{**LINE, "invoice_date": 1700000000}]}
    )

    error = only_error(response)
    assert error["loc"] == ["body", "transactions", 0, "invoice_date"]


def test_lines_with_line_totals_and_no_invoice_or_product_ids_are_scored(
    client: httpx.Client,
):
    lines = [
        {"customer_id": "c1", "invoice_date": "2025-11-01T10:00:00", "line_total": 7.0},
        {"customer_id": "c1", "invoice_date": "2025-11-20T10:00:00", "line_total": 3.0},
    ]

    body = client.post(
        "/v1/segments", json={"transactions": lines, "reference_date": "2025-12-01"}
    ).json()

    (segment,) = body["segments"]
    assert segment["status"] == "scored"
    assert body["data_quality"]["rows_out"] == 2


def test_an_invoice_id_used_again_on_another_day_is_a_422_as_in_batch(
    client: httpx.Client,
):
    # The pipeline's own rule (reading_checks.max_invoice_span_days), from the
    # inference pipeline the API runs: one receipt number for two purchases.
    later = {**LINE, "invoice_date": "2025-11-20T10:00:00"}

    response = client.post(
        "/v1/segments",
        json={"transactions": [LINE, later], "reference_date": "2025-12-01"},
    )

    assert "rule: one invoice id is one purchase" in only_error(response)["msg"]


def test_a_batch_of_features_in_another_unit_is_a_422_as_in_batch(
    client: httpx.Client,
):
    # inference.scoring.scale_check_min_customers (100): 150 customers whose
    # spend is in cents, far above the training's 99th percentile.
    customers = [
        {**CUSTOMER, "customer_id": f"c{i}", "monetary": 60_000.0 + i}
        for i in range(150)
    ]

    response = client.post("/v1/segments", json={"customers": customers})

    message = only_error(response)["msg"]
    assert "column 'monetary' has a median of 60,074.5 over 150 customers" in message
    assert "inference.scoring.scale_check_min_customers" in message
    # A few customers say nothing about units: scored.
    few = client.post("/v1/segments", json={"customers": customers[:99]})
    assert few.status_code == 200, few.text


def test_mixing_unit_prices_and_line_totals_is_a_422(client: httpx.Client):
    other = {
        "customer_id": "c2",
        "invoice_date": "2025-11-01T10:00:00",
        "line_total": 7.0,
    }

    response = client.post("/v1/segments", json={"transactions": [LINE, other]})

    assert "rule: one value column" in only_error(response)["msg"]


def test_body_over_the_limit_is_a_413_before_it_is_read(
    base_url: str, client: httpx.Client
):
    limit = client.get("/v1/model").json()["max_body_bytes"]
    address = urlparse(base_url)

    # Only the headers are sent: the answer comes without the body being read.
    with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
        raw.sendall(
            b"POST /v1/segments HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {limit + 1}\r\n\r\n".encode()
        )
        answer = b""
        while chunk := raw.recv(4096):  # the server closes after answering
            answer += chunk
    answer = answer.decode()

    assert answer.startswith("HTTP/1.1 413")
    assert "api.max_body_bytes" in answer


def test_every_request_writes_one_structured_access_line(
    client: httpx.Client, server_log: Path
):
    client.post(
        "/v1/segments",
        json={"customers": [CUSTOMER, {**CUSTOMER, "customer_id": "c2"}]},
        headers={"X-Request-ID": "access-log-test"},
    )

    deadline = time.monotonic() + 10
    lines: list[dict] = []
    while not lines and time.monotonic() < deadline:
        time.sleep(0.05)  # the line is written once the answer is sent
        lines = [
            json.loads(line)
            for line in server_log.read_text().splitlines()
            if "access-log-test" in line
        ]
    assert lines == [
        {
            "request_id": "access-log-test",
            "method": "POST",
            "path": "/v1/segments",
            "status": 200,
            "customers": 2,
            "latency_ms": lines[0]["latency_ms"],
        }
    ]
    assert lines[0]["latency_ms"] > 0
