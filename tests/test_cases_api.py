"""The case system's API: tokens, validation, round trips."""
import pytest
from jsonschema import Draft202012Validator
from sqlmodel import select

from models.db import session
from models.outbox import OutboundMessage, record_opt_out
from models.surveys import Survey
from tests.support.cases import ENGAGEMENT

CASE = {
    "crime_reference": "5201234/26",
    "victim_phone": "07911 123456",
    "victim_name": "A Victim",
    "officer_name": "PC Example",
    "borough": "Lambeth",
    "contact": {"sms_allowed": True, "voicemail_allowed": False, "safe_call_times": ["09:00-12:00"]},
}


def test_without_a_token_the_api_answers_401(client):
    assert client.post("/api/v1/cases", json=CASE).status_code == 401
    assert client.get("/api/v1/cases/1").status_code == 401
    bad = client.get("/api/v1/cases/1", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and "not valid" in bad.json["error"]


def test_case_round_trip_stores_e164_and_upserts_by_the_normalised_reference(api):
    created = api.post("/cases", CASE)
    assert created.status_code == 201
    case_id = created.json["id"]

    got = api.get(f"/cases/{case_id}").json
    assert got["victim_phone"] == "+447911123456"
    assert got["crime_reference"] == "5201234/26"
    assert got["contact"] == {"sms_allowed": True, "safe_to_call": True, "voicemail_allowed": False,
                              "safe_call_times": ["09:00-12:00"], "update_detail": "minimal",
                              "full_detail_by_text": False, "email_allowed": False}

    # case, surrounding and repeated spaces, spaces around the slash: the same reference
    again = api.post("/cases", {**CASE, "crime_reference": "  5201234 / 26 ", "status": "charged"})
    assert again.status_code == 200 and again.json["id"] == case_id
    assert api.get(f"/cases/{case_id}").json["status"] == "charged"


def test_updates_are_listed_newest_first_and_set_status(api):
    case_id = api.post("/cases", CASE).json["id"]
    assert api.post(f"/cases/{case_id}/updates", {"message": "Suspect interviewed"}).status_code == 201
    second = api.post(f"/cases/{case_id}/updates", {"message": "Charged", "status": "charged"})
    assert second.status_code == 201
    got = api.get(f"/cases/{case_id}").json
    assert [u["message"] for u in got["updates"]] == ["Charged", "Suspect interviewed"]
    assert got["status"] == "charged"


@pytest.mark.parametrize("body, field", [
    ({**CASE, "victim_phone": "12345"}, "victim_phone"),
    ({**CASE, "victim_phone": "not a number"}, "victim_phone"),
    ({k: v for k, v in CASE.items() if k != "crime_reference"}, "crime_reference"),
    ({**CASE, "crime_reference": "ABC/XYZ"}, "crime_reference"),
    ({**CASE, "contact": {"sms_allowed": "yes"}}, "contact.sms_allowed"),
    ({**CASE, "contact": {"safe_call_times": ["9am-5pm"]}}, "contact.safe_call_times"),
    ({**CASE, "colour": "blue"}, "colour"),
])
def test_invalid_case_is_a_422_naming_the_field(api, body, field):
    response = api.post("/cases", body)
    assert response.status_code == 422
    assert field in response.json["error"]


def test_malformed_bodies_get_clear_4xx_never_500(api, client, api_token):
    headers = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    assert client.post("/api/v1/cases", data="{not json", headers=headers).status_code == 400
    assert client.post("/api/v1/cases", data="[1,2]", headers=headers).status_code == 400
    form = client.post("/api/v1/cases", data={"a": "b"}, headers={"Authorization": headers["Authorization"]})
    assert form.status_code == 415
    missing = api.get("/cases/999999")
    assert missing.status_code == 404 and missing.json == {"error": "case not found"}
    assert api.post("/cases/999999/updates", {"message": "x"}).status_code == 404
    case_id = api.post("/cases", CASE).json["id"]
    empty = api.post(f"/cases/{case_id}/updates", {"message": ""})
    assert empty.status_code == 422 and "message" in empty.json["error"]


def test_revoked_token_stops_working(app, api, client, api_token):
    assert api.get("/cases/1").status_code == 404
    runner = app.test_cli_runner()
    assert runner.invoke(args=["api-token", "revoke", "case-system"]).exit_code == 0
    assert api.get("/cases/1").status_code == 401


def test_token_cli_prints_the_token_on_its_last_line(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-token", "create", "crm", "--scope", "cases:read"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/cases/1", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    listing = runner.invoke(args=["api-token", "list"]).output
    assert "crm\tactive" in listing and token not in listing
    assert runner.invoke(args=["api-token", "create", "crm", "--scope", "cases:read"]).exit_code != 0


def test_openapi_document_lists_the_case_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {"/cases", "/cases/{case_id}", "/cases/{case_id}/updates"} <= set(doc["paths"])
    from openapi_spec_validator import validate

    validate(doc)


# --- the case's PIN: write-only, hashed, omitted = unchanged, null = cleared ---------------


def _pin_hash(app, case_id):
    from models.cases import Case
    from models.db import session

    with app.app_context():
        return session().get(Case, case_id).pin_hash


def test_pin_is_write_only_hashed_kept_when_omitted_and_cleared_by_null(app, api):
    case_id = api.post("/cases", {**CASE, "pin": "0042"}).json["id"]
    first = _pin_hash(app, case_id)
    assert first.startswith("$argon2id$") and "0042" not in first
    got = api.get(f"/cases/{case_id}")
    assert "pin" not in got.json and "pin_hash" not in got.json and got.json["pin_set"] is True
    assert "0042" not in got.get_data(as_text=True) and "argon2" not in got.get_data(as_text=True)

    assert api.post("/cases", {**CASE, "status": "charged"}).status_code == 200  # omitted: unchanged
    assert _pin_hash(app, case_id) == first
    assert api.post("/cases", {**CASE, "pin": "87654321"}).status_code == 200  # changed
    changed = _pin_hash(app, case_id)
    assert changed != first and changed.startswith("$argon2id$")
    assert api.post("/cases", {**CASE, "pin": None}).status_code == 200  # null: cleared
    assert _pin_hash(app, case_id) is None and api.get(f"/cases/{case_id}").json["pin_set"] is False
    assert api.post("/cases", CASE).status_code == 200
    assert _pin_hash(app, case_id) is None


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", "", " 1234", 1234, ["1234"]])
def test_a_pin_must_be_4_to_8_digits_and_is_never_echoed(api, pin):
    response = api.post("/cases", {**CASE, "pin": pin})
    assert response.status_code == 422 and "pin" in response.json["error"]
    if isinstance(pin, str) and pin.strip():
        assert pin.strip() not in response.get_data(as_text=True)


def test_openapi_documents_the_pin_as_write_only(client):
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["CaseIn"]
    pin = schema["properties"]["pin"]
    assert pin["writeOnly"] is True and "pin" not in schema.get("required", [])
    assert "argon2id" in pin["description"]


def test_the_case_system_can_say_a_number_must_never_be_rung_back(api):
    created = api.post("/cases", json={"crime_reference": "5201234/26", "victim_phone": "07911 123456",
                                       "contact": {"safe_to_call": False}})
    assert created.status_code == 201
    case = api.get(f"/cases/{created.get_json()['id']}").get_json()
    assert case["contact"]["safe_to_call"] is False
    api.post("/cases", json={"crime_reference": "5201234/26", "victim_phone": "07911 123456"})
    assert api.get(f"/cases/{created.get_json()['id']}").get_json()["contact"]["safe_to_call"] is False, \
        "an omitted field keeps its value"


def _phone(api, case_id):
    return api.get(f"/cases/{case_id}").json["victim_phone"]


def test_a_different_reference_with_the_same_digits_is_a_new_case_and_moves_no_number(api):
    cad = api.post("/cases", {"crime_reference": "CAD 9999/26", "victim_phone": "07911 123456"})
    cris = api.post("/cases", {"crime_reference": "CRIS 9999/26", "victim_phone": "07911 123457"})
    assert cad.status_code == 201 and cris.status_code == 201
    assert cris.json == {"id": cris.json["id"], "created": True} and cris.json["id"] != cad.json["id"]
    assert _phone(api, cad.json["id"]) == "+447911123456"
    assert _phone(api, cris.json["id"]) == "+447911123457"
    assert api.get(f"/cases/{cris.json['id']}").json["crime_reference"] == "CRIS 9999/26"


def test_met_cad_references_on_different_days_are_different_cases(api):
    dec = api.post("/cases", {"crime_reference": "1234/05DEC26", "victim_phone": "07911 123456"})
    jan = api.post("/cases", {"crime_reference": "1234/05JAN26", "victim_phone": "07911 123457"})
    assert (dec.status_code, jan.status_code) == (201, 201) and dec.json["id"] != jan.json["id"]
    again = api.post("/cases", {"crime_reference": "cad  1234/05dec26", "victim_phone": "07911 123456"})
    assert again.status_code == 201  # letters count: "CAD 1234/05DEC26" is another reference
    same = api.post("/cases", {"crime_reference": " 1234/05dec26", "victim_phone": "07911 123456",
                               "status": "charged"})
    assert same.status_code == 200 and same.json["id"] == dec.json["id"]
    assert _phone(api, jan.json["id"]) == "+447911123457"


def test_the_case_system_can_mark_a_case_vawg(api):
    case_id = api.post("/cases", CASE).json["id"]
    assert api.get(f"/cases/{case_id}").json["vawg"] is False  # the default
    assert api.post("/cases", {**CASE, "vawg": True}).status_code == 200
    assert api.get(f"/cases/{case_id}").json["vawg"] is True
    assert api.post("/cases", {**CASE, "status": "charged"}).status_code == 200  # omitted: unchanged
    assert api.get(f"/cases/{case_id}").json["vawg"] is True
    assert api.post("/cases", {**CASE, "vawg": False}).status_code == 200
    assert api.get(f"/cases/{case_id}").json["vawg"] is False
    assert api.post("/cases", {**CASE, "vawg": "yes"}).status_code == 422


def test_openapi_documents_vawg(client):
    schema = client.get("/api/v1/openapi.json").json
    props = schema["components"]["schemas"]["CaseIn"]["properties"]
    assert props["vawg"]["default"] is None and "VAWG" in props["vawg"]["description"]


# --- the OpenAPI document describes every success body (issue 15, item 9) ------------------


def _json_body(doc, path, method, status):
    return doc["paths"][path][method]["responses"][str(status)].get("content", {}).get("application/json")


def test_every_json_success_body_has_a_schema(client):
    doc = client.get("/api/v1/openapi.json").json
    schemas = doc["components"]["schemas"]
    bare = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                assert response.get("content"), f"{method.upper()} {path} {status} names no media type"
                body = _json_body(doc, path, method, status)
                if body is None:  # an image, say
                    continue
                schema = body.get("schema", {})
                if "$ref" in schema:
                    schema = schemas[schema["$ref"].removeprefix("#/components/schemas/")]
                if not schema.keys() & {"properties", "anyOf", "oneOf"}:
                    bare.append(f"{method.upper()} {path} {status}")
    assert bare == [], "success bodies described in prose only"
    qr = doc["paths"]["/surveys/{survey_id}/qr.svg"]["get"]["responses"]["200"]["content"]
    assert set(qr) == {"image/svg+xml"}, "the QR code is an image, not JSON"


def _validator(doc, path, method, status):
    body = _json_body(doc, path, method, status)
    assert body and "$ref" in body["schema"], f"{method.upper()} {path} {status}: no schema for the body"
    return Draft202012Validator({**body["schema"], "components": doc["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _matches(validator, body):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == [], body
    undocumented = {**body, "victim_phone": "+447911123456"}
    assert not validator.is_valid(undocumented), "a key the document doesn't name would pass"


def test_survey_endpoints_answer_as_the_document_says(app, api, client, clock):
    doc = client.get("/api/v1/openapi.json").json
    engagement = _validator(doc, "/engagements", "post", 201)
    scheduled = api.post("/engagements", {**ENGAGEMENT, "victim_email": "victim@example.org"})
    assert scheduled.status_code == 201 and "send_at" in scheduled.json
    _matches(engagement, scheduled.json)
    again = api.post("/engagements", ENGAGEMENT)
    assert again.status_code == 200
    _matches(_validator(doc, "/engagements", "post", 200), again.json)
    with app.app_context():
        record_opt_out(session(), "+447911123457", source="test")
        session().commit()
    suppressed = api.post("/engagements", {**ENGAGEMENT, "victim_phone": "07911 123457"})
    assert suppressed.status_code == 201 and suppressed.json["reason"] == "opted_out"
    _matches(engagement, suppressed.json)
    assert not engagement.is_valid({**scheduled.json, "reason": "opted_out"}), "send_at or reason, not both"

    with app.app_context():  # the first invitation delivered and answered by text
        db = session()
        survey = db.get(Survey, scheduled.json["survey_id"])
        survey.rating, survey.comment, survey.status = 4, "kind", "completed"
        survey.rated_at, survey.rated_via = clock(), "sms"
        message = db.exec(select(OutboundMessage).where(
            OutboundMessage.dedupe_key == str(survey.id))).one()
        message.status = "delivered"
        survey.reached_at = clock()  # as its delivery report notes (services/outbox.apply_delivery_status)
        db.add_all([survey, message])
        db.commit()

    listing = _validator(doc, "/surveys", "get", 200)
    for query in ("", "?count=true", "?limit=1"):
        page = api.get("/surveys" + query)
        assert page.status_code == 200 and page.json["surveys"]
        _matches(listing, page.json)
    _matches(listing, api.get("/surveys?borough=Camden").json)  # an empty page
    summary = api.get("/ratings/summary")
    assert summary.status_code == 200 and summary.json["count"] == 1 and summary.json["response_rates"]
    _matches(_validator(doc, "/ratings/summary", "get", 200), summary.json)
