"""The case API fuzzed from its own OpenAPI document: every operation, with cases
generated from the document, valid and invalid, with a live bearer token.  No
request may cause a server error, and every answer must be one the document lists."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

BOUNDED = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "15")), derandomize=True, deadline=None,
                   database=None,
                   phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))


@pytest.fixture
def schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_operation_survives_generated_requests(app, schema, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @BOUNDED
        @given(case=st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                              operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)))
        def call(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance],
                                   headers=headers)

        call()
