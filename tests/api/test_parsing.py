"""A large body is parsed in a worker process, with the same result as on the scoring thread."""

import json

import pytest

from customer_segmentation.api.parsing import (
    BodyParser,
    FeatureRequest,
    InvalidBody,
    RequestModel,
    TransactionRequest,
)
from customer_segmentation.pipelines.feature_engineering.domains import FeatureDomain
from customer_segmentation.pipelines.inference.settings import ApiSettings
from tests.api.payloads import LINE

MODEL = RequestModel(
    domains={"recency_days": FeatureDomain(minimum=0, integer=True)},
    categorical=[],
    limits=ApiSettings(),
    attribute_types={"customer_id": "string", "age": "float64"},
    numeric_attributes=["age"],
    categorical_attributes=[],
    date_attributes=[],
)


@pytest.fixture(scope="module")
def parsers():
    on_thread, in_worker = BodyParser(MODEL), BodyParser(MODEL, large_body_bytes=0)
    yield on_thread, in_worker
    in_worker.close()


def test_lines_parse_to_the_same_tables_in_the_worker(parsers):
    body = json.dumps(
        {
            "transactions": [LINE, {**LINE, "customer_id": "c2", "country": "FR"}],
            "attributes": [{"customer_id": "c2", "age": 41}],
            "reference_date": "2025-12-01T00:00:00",
        }
    ).encode()

    here, there = (parser.parse(body) for parser in parsers)

    assert isinstance(there, TransactionRequest)
    assert there.lines.equals(here.lines)
    assert there.attributes.equals(here.attributes)
    assert there.reference_date == here.reference_date
    assert there.lines.column_names == [
        "customer_id",
        "invoice_id",
        "invoice_date",
        "product_id",
        "quantity",
        "unit_price",
        "country",
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"customers": [{"customer_id": "a", "recency_days": -1}]}', 422),
        (b"not json", 400),
    ],
    ids=["rule", "not_json"],
)
def test_a_refused_body_is_refused_the_same_way_in_the_worker(parsers, body, status):
    here, there = (parser.parse(body) for parser in parsers)

    assert isinstance(there, InvalidBody)
    assert there == here
    assert there.status == status


def test_feature_rows_come_back_from_the_worker(parsers):
    body = b'{"customers": [{"customer_id": "a", "recency_days": 3}]}'

    there = parsers[1].parse(body)

    assert there == FeatureRequest([{"customer_id": "a", "recency_days": 3}])
