"""Only the pipeline's named input errors are the caller's fault (422); any other failure is a 500."""

import logging

import httpx
import ibis.expr.types as ir
import pytest
from kedro.pipeline import Node, Pipeline

from customer_segmentation.api import ScoringService, create_app, load_scoring_service
from customer_segmentation.pipelines.data_processing.nodes import flag_transactions
from customer_segmentation.pipelines.inference import create_pipeline
from tests.api.payloads import LINE
from tests.api.serving import served
from tests.pipelines.inference.project import TrainedProject, working_directory

SECRET_ID = "customer-7f3a"


def flag_with_a_bug(transactions: ir.Table, cleaning_rules: object) -> ir.Table:
    # A node bug whose message quotes the caller's data.
    raise ValueError(f"cannot flag the lines of {SECRET_ID}")


def with_a_broken_node(pipeline: Pipeline) -> Pipeline:
    (flag,) = [node for node in pipeline.nodes if node.func is flag_transactions]
    # Same name, same namespace: a dotted name without it would break the namespace.
    broken = Node(
        flag_with_a_bug,
        flag.inputs,
        flag.outputs[0],
        name=flag.name.removeprefix(f"{flag.namespace}."),
        namespace=flag.namespace,
    )
    return pipeline - Pipeline([flag]) + Pipeline([broken])


@pytest.fixture(scope="module")
def broken_service(project: TrainedProject) -> ScoringService:
    with working_directory(project.path):
        loaded = load_scoring_service(project.path)
    return ScoringService(
        bundle=loaded.bundle,
        params=loaded.params,
        settings=loaded.settings,
        pipeline=with_a_broken_node(create_pipeline()),
    )


def test_a_failing_node_is_a_500_that_names_the_request_not_the_data(
    broken_service: ScoringService, caplog: pytest.LogCaptureFixture
):
    body = {
        "transactions": [{**LINE, "customer_id": SECRET_ID}],
        "reference_date": "2025-12-01",
    }

    with caplog.at_level(logging.ERROR), served(create_app(broken_service)) as url:
        response = httpx.post(
            f"{url}/v1/segments",
            json=body,
            headers={"X-Request-ID": "req-500"},
            timeout=60,
        )

    assert response.status_code == 500
    assert SECRET_ID not in response.text
    assert "req-500" in response.json()["detail"]
    (record,) = [r for r in caplog.records if "req-500" in r.getMessage()]
    assert record.exc_info is not None
    assert "cannot flag the lines" in str(record.exc_info[1])
