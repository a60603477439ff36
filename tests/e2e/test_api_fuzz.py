"""schemathesis against the running API's OpenAPI document: no 500, every error in our shape.

The schemathesis pytest plugin does not support this pytest; its Python API drives hypothesis
per operation instead, with a bounded number of examples.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.e2e.conftest import Processes, wait_ready
from tests.principals import bearer

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
async def api_schema(processes: Processes) -> Any:
    await wait_ready(processes.api_url)
    return schemathesis.openapi.from_url(f"{processes.api_url}/openapi.json")


def _check(case: Any, headers: dict[str, str]) -> None:
    response = case.call(timeout=60, headers=headers)
    assert response.status_code < 500 or response.status_code == 503, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    )
    if response.status_code >= 400:
        body = response.json()
        assert {"code", "message", "message_zh", "message_en"} <= set(body), body
    # Cross-field rules (a town code inside its county, dates against the case's own dates) are
    # beyond what OpenAPI can say: a schema-valid body may still be refused with 422.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


def test_the_api_never_fails_with_500_and_errors_keep_their_shape(
    api_schema: Any, processes: Processes
) -> None:
    # As the mediator: authenticated, so the fuzzing reaches past authentication.
    headers = bearer(processes.keys["mediator"])
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: Any) -> None:
            _check(case, headers)

        exercise()
