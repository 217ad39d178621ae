"""The committed part of Twilio's OpenAPI description (twilio_spec/) and what the fake does with it."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from twilio.base.exceptions import TwilioRestException

from tests.emulator.rest_api import _ROUTES, ACCOUNT_PREFIX, SPEC_PATH, FakeTwilioAPI, load_contract
from tests.emulator.test_rest_api import ACCOUNT_SID, AUTH_TOKEN, DESK, VICTIM, api_url, client_for
from tests.emulator.twilio_spec.derive import OUTPUT, derive, render

ROOT = Path(__file__).resolve().parents[2]
# Twilio's full OpenAPI document is not in the repository: name it to check the subset against it
ORIGINAL = Path(os.environ.get("TWILIO_OPENAPI_DOCUMENT", "/nonexistent"))
CALLS = ACCOUNT_PREFIX + "Calls.json"


@pytest.fixture(scope="module")
def subset() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def fake():
    with FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def client(fake):
    return client_for(fake)


# ---------------------------------------------------------------- the committed file

@pytest.mark.skipif(not ORIGINAL.exists(), reason="TWILIO_OPENAPI_DOCUMENT does not name Twilio's original document: "
                    "the committed subset cannot be compared with it (the tests use the subset alone)")
def test_committed_subset_is_what_derive_makes_of_twilios_document():
    derived = render(derive(json.loads(ORIGINAL.read_text(encoding="utf-8"))))
    assert derived == OUTPUT.read_text(encoding="utf-8"), (
        f"run: python tests/emulator/twilio_spec/derive.py {ORIGINAL}")


def test_the_fake_reads_the_committed_subset_only(fake):
    assert SPEC_PATH == OUTPUT and ROOT in SPEC_PATH.parents
    assert fake.contract is load_contract() is load_contract(OUTPUT)


def test_subset_is_a_valid_openapi_30_document(subset):
    validate(subset)
    assert subset["openapi"].startswith("3.0.")


def test_subset_is_small(subset):
    assert OUTPUT.stat().st_size < 64 * 1024


def test_subset_serves_every_route_the_fake_emulates():
    contract = load_contract()
    missing = [(method, route) for method, route in _ROUTES
               if contract.operation(ACCOUNT_PREFIX + route, method) is None]
    assert missing == []


def test_subset_keeps_every_call_parameter_with_types_enums_and_formats():
    create = load_contract().operation(CALLS, "POST")
    assert {"AsyncAmd", "AsyncAmdStatusCallback", "AsyncAmdStatusCallbackMethod", "MachineDetection",
            "MachineDetectionTimeout", "MachineDetectionSpeechThreshold",
            "MachineDetectionSpeechEndThreshold", "MachineDetectionSilenceTimeout",
            "StatusCallbackEvent", "Twiml", "Url", "Timeout"} <= set(create.form_params)
    assert len(create.form_params) == 36
    assert create.required_form == {"To", "From"}
    assert create.form_params["AsyncAmdStatusCallbackMethod"].schema["enum"] == ["GET", "POST"]
    assert create.form_params["AsyncAmdStatusCallback"].schema["format"] == "uri"
    assert create.form_params["MachineDetectionTimeout"].schema["type"] == "integer"
    assert create.form_params["StatusCallbackEvent"].schema["type"] == "array"


def test_every_operation_answers_errors_in_twilios_error_body(subset):
    error = {"$ref": "#/components/schemas/twilio.error"}
    schemas = [op["responses"]["default"]["content"]["application/json"]["schema"]
               for item in subset["paths"].values() for op in item.values()]
    assert schemas == [error] * 14
    assert subset["components"]["schemas"]["twilio.error"]["required"] == [
        "code", "message", "more_info", "status"]


# ---------------------------------------------------------------- the fake, on the subset alone

def test_asynchronous_answering_machine_detection_is_on_spec(fake, client):
    client.calls.create(to=VICTIM, from_=DESK, url="https://desk.example.org/voice/callback",
                        machine_detection="DetectMessageEnd", machine_detection_timeout=30,
                        async_amd="true", async_amd_status_callback="https://desk.example.org/voice/amd",
                        async_amd_status_callback_method="POST")
    assert fake.contract_violations == []
    assert fake.calls_to(VICTIM)[0].params["AsyncAmd"] == ["true"]


@pytest.mark.parametrize("rest, data, code, problem", [
    ("Calls.json", {"To": VICTIM, "From": DESK, "Url": "https://x.example", "AsyncAmdd": "true"},
     20001, "unknown form parameter 'AsyncAmdd'"),
    ("Calls.json", {"To": VICTIM, "From": DESK, "Url": "https://x.example", "AsyncAmd": "true",
                    "AsyncAmdStatusCallbackMethod": "PUT"},
     20001, "AsyncAmdStatusCallbackMethod: 'PUT' is not one of ['GET', 'POST']"),
    ("Calls.json", {"To": VICTIM, "From": DESK, "Url": "https://x.example", "MachineDetectionTimeout": "1m"},
     20001, "MachineDetectionTimeout: '1m' is not of type 'integer'"),
    ("Calls.json", {"From": DESK, "Url": "https://x.example"}, 21201, "missing required form parameter 'To'"),
    ("Messages.json", {"From": DESK, "Body": "x"}, 21604, "missing required form parameter 'To'"),
    ("Messages.json", {"To": VICTIM, "From": DESK, "Body": "x", "ContentRetention": "forever"},
     20001, "ContentRetention: 'forever' is not one of ['retain', 'discard']"),
    ("Messages.json", {"To": VICTIM, "From": DESK, "Body": "x", "StatusCallbackMethod": "POST"},
     20001, "unknown form parameter 'StatusCallbackMethod'"),  # Calls have it, Messages do not
    ("Queues/QU" + "0" * 32 + "/Members/Front.json", {"Url": "https://x.example", "Method": "PUT"},
     20001, "Method: 'PUT' is not one of ['GET', 'POST']"),
])
def test_off_spec_requests_are_rejected(fake, client, rest, data, code, problem):
    response = client.request("POST", api_url(rest), data=data)
    assert response.status_code == 400
    assert json.loads(response.text)["code"] == code
    [violation] = fake.contract_violations
    assert problem in violation.problems
    assert fake.calls == [] and fake.messages == []


def test_bad_call_status_is_rejected(fake, client):
    with pytest.raises(TwilioRestException) as caught:
        client.calls("CA" + "c" * 32).update(status="hangup")
    assert (caught.value.status, caught.value.code) == (400, 20001)


def test_paths_outside_the_subset_are_off_spec(fake, client):
    response = client.request("GET", api_url("Recordings.json"))
    assert response.status_code == 404
    [violation] = fake.contract_violations
    assert violation.problems == ["path is not in the contract (twilio_spec/twilio_rest_subset.json)"]


# ---------------------------------------------------------------- the fake's answers, by the subset

def _response_validator(subset: dict, route: str, method: str, status: str) -> OAS30Validator:
    responses = subset["paths"][ACCOUNT_PREFIX + route][method]["responses"]
    schema = responses[status]["content"]["application/json"]["schema"]
    # The schemas refer to one another under #/components/schemas.
    return OAS30Validator({**schema, "components": subset["components"]})


def _answer(client, method: str, rest: str, data: dict | None = None) -> dict:
    return json.loads(client.request(method.upper(), api_url(rest), data=data).text)


def test_the_fakes_answers_have_twilios_shapes(subset, fake, client):
    created = [
        ("Messages.json", {"To": VICTIM, "From": DESK, "Body": "hello"}),
        ("Calls.json", {"To": VICTIM, "From": DESK, "Url": "https://desk.example.org/voice/callback"}),
        ("Queues.json", {"FriendlyName": "victim-desk"}),
    ]
    message, call, queue = (_answer(client, "post", rest, data) for rest, data in created)
    for (rest, _data), body in zip(created, (message, call, queue)):
        _response_validator(subset, rest, "post", "201").validate(body)
    message, call, queue = message["sid"], call["sid"], queue["sid"]
    fake.enqueue(call, queue)
    answers = [
        ("Messages/{Sid}.json", "get", "200", f"Messages/{message}.json"),
        ("Messages.json", "get", "200", "Messages.json"),
        ("Calls/{Sid}.json", "get", "200", f"Calls/{call}.json"),
        ("Calls.json", "get", "200", "Calls.json"),
        ("Queues/{Sid}.json", "get", "200", f"Queues/{queue}.json"),
        ("Queues.json", "get", "200", "Queues.json"),
        ("Queues/{QueueSid}/Members.json", "get", "200", f"Queues/{queue}/Members.json"),
        ("Queues/{QueueSid}/Members/{CallSid}.json", "get", "200", f"Queues/{queue}/Members/{call}.json"),
        ("Messages/{Sid}.json", "get", "default", "Messages/SM" + "0" * 32 + ".json"),
    ]
    for route, method, status, rest in answers:
        _response_validator(subset, route, method, status).validate(_answer(client, method, rest))
    updates = [
        ("Queues/{QueueSid}/Members/{CallSid}.json", f"Queues/{queue}/Members/Front.json",
         {"Url": "https://desk.example.org/voice/answer"}),
        ("Calls/{Sid}.json", f"Calls/{call}.json", {"Status": "completed"}),
    ]
    for route, rest, data in updates:
        _response_validator(subset, route, "post", "200").validate(_answer(client, "post", rest, data))
    assert fake.contract_violations == []
