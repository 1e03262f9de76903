"""A rule and a parameter added to the inference pipeline reach the API with no API change."""

import httpx
import ibis
import ibis.expr.types as ir
from kedro.pipeline import Node, Pipeline

from customer_segmentation.api import ScoringService, create_app, load_scoring_service
from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    flag_transactions,
)
from customer_segmentation.pipelines.inference import create_pipeline
from tests.api.payloads import LINE as SHARED_LINE
from tests.api.serving import served
from tests.pipelines.inference.project import TrainedProject, working_directory

LINE = {**SHARED_LINE, "country": "France"}


def flag_with_blocked_countries(
    transactions: ir.Table, cleaning_rules: CleaningRules, blocked: list[str]
) -> ir.Table:
    flagged = flag_transactions(transactions, cleaning_rules)
    hit = flagged.drop_reason.isnull() & flagged.country.isin(blocked)
    return flagged.mutate(
        drop_reason=ibis.ifelse(hit, "blocked_country", flagged.drop_reason),
        drop_value=ibis.ifelse(hit, flagged.country, flagged.drop_value),
    )


def with_blocked_countries(pipeline: Pipeline) -> Pipeline:
    (flag,) = [node for node in pipeline.nodes if node.func is flag_transactions]
    rule = Node(
        flag_with_blocked_countries,
        [*flag.inputs, "params:blocked_countries"],
        flag.outputs[0],
        name="flag_with_blocked_countries_node",
        namespace=flag.namespace,
    )
    return pipeline - Pipeline([flag]) + Pipeline([rule])


def test_a_rule_added_to_the_pipeline_is_applied_by_the_api(project: TrainedProject):
    with working_directory(project.path):
        loaded = load_scoring_service(project.path)
    service = ScoringService(
        bundle=loaded.bundle,
        params={**loaded.params, "blocked_countries": ["Atlantis"]},
        settings=loaded.settings,
        pipeline=with_blocked_countries(create_pipeline()),
    )
    lines = [LINE, {**LINE, "customer_id": "c2", "country": "Atlantis"}]

    with served(create_app(service)) as url:
        body = httpx.post(
            f"{url}/v1/segments",
            json={"transactions": lines, "reference_date": "2025-12-01"},
            timeout=60,
        ).json()

    statuses = {row["customer_id"]: row["status"] for row in body["segments"]}
    assert statuses == {"c1": "scored", "c2": "no_valid_transactions"}
    assert body["data_quality"]["rows_dropped"] == {"blocked_country": 1}
