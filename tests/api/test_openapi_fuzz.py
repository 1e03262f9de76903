"""Fuzzes the running API from its own OpenAPI document: no input may cause a 5xx.

Every operation of the document gets schema-conforming (positive) and
schema-breaking (negative) requests from schemathesis; each response must not be a
server error, must use a documented status code and, when it is a success, must
match the documented response body.
"""

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis (a dev dependency) is not installed"
)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

# Bounded: 3 operations x 2 modes x 40 examples stays under 250 requests.
MAX_EXAMPLES = 40


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_never_answers_with_a_server_error(base_url: str, mode: GenerationMode):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} == {
        "/health",
        "/v1/model",
        "/v1/segments",
    }
    calls = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not operation.body:
            continue  # nothing to break in a request without parameters or body

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            calls.append(case.path)
            case.call_and_validate(
                base_url=base_url,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    response_schema_conformance,
                ],
            )

        call()
    assert "/v1/segments" in calls
