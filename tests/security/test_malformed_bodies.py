"""Bodies no genuine client sends: not a form, broken percent-encoding, the wrong
Content-Type, megabytes of data.  Each gets a 4xx (or, signed, a reply Twilio can
use), never a 5xx; and a body over the size limit is refused before it is read."""
from __future__ import annotations

import pytest

from emulator.signing import sign
from tests.security import twiml
from tests.support.routes import MESSAGING, STATUS_CALLBACKS, api_rules, concrete, methods, twilio_rules
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

RAW_BODIES = {
    "json": (b'{"CallSid": "CA' + b"0" * 32 + b'"}', "application/json"),
    "xml": (b"<Response><Say>hi</Say></Response>", "text/xml"),
    "bad percent-encoding": (b"CallSid=%zz%&From=%E2%82&Body=%", "application/x-www-form-urlencoded"),
    "invalid utf-8": (b"CallSid=CA" + b"0" * 32 + b"&Body=\xff\xfe\xc3(", "application/x-www-form-urlencoded"),
    "no content type": (b"CallSid=CA" + b"0" * 32, ""),
    "multipart without boundary": (b"--x\r\n", "multipart/form-data"),
    "binary": (bytes(range(256)) * 4, "application/octet-stream"),
    "empty": (b"", "application/x-www-form-urlencoded"),
}


def _signed_raw(client, path: str, body: bytes, content_type: str, params: dict | None = None):
    """Signed as Twilio would sign the form it believes it sent (PARAMS)."""
    headers = {"X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC_BASE_URL + path, params or {})}
    if content_type:
        headers["Content-Type"] = content_type
    return client.post(path, data=body, headers=headers, base_url=PUBLIC_BASE_URL)


@pytest.mark.parametrize("kind", list(RAW_BODIES))
def test_raw_bodies_on_every_webhook(app, client, kind):
    body, content_type = RAW_BODIES[kind]
    for rule in twilio_rules(app):
        path = concrete(rule)
        unsigned = client.post(path, data=body, headers={"Content-Type": content_type} if content_type else {},
                               base_url=PUBLIC_BASE_URL)
        assert unsigned.status_code == 403, f"{rule.rule} ({kind}, unsigned): {unsigned.status_code}"
        signed = _signed_raw(client, path, body, content_type)
        assert signed.status_code < 500, f"{rule.rule} ({kind}, signed): {signed.status_code}"
        if signed.status_code == 200 and rule.rule not in STATUS_CALLBACKS:
            assert twiml.is_twiml(signed), f"{rule.rule} ({kind}): {signed.content_type}"
            twiml.parse(signed.get_data(), messaging=rule.rule in MESSAGING)


@pytest.mark.parametrize("kind", ["not json", "json array", "json string", "deep nesting", "form", "no type",
                                  "invalid utf-8"])
def test_raw_bodies_on_every_api_route(app, client, api_token, kind):
    body, content_type = {
        "not json": (b"{nope", "application/json"),
        "json array": (b"[1, 2, 3]", "application/json"),
        "json string": (b'"case"', "application/json"),
        "deep nesting": (b"[" * 50_000 + b"]" * 50_000, "application/json"),
        "form": (b"crime_reference=1&victim_phone=2", "application/x-www-form-urlencoded"),
        "no type": (b"{}", ""),
        "invalid utf-8": (b'{"message": "\xff\xfe"}', "application/json"),
    }[kind]
    for rule in api_rules(app):
        for method in methods(rule):
            headers = {"Authorization": f"Bearer {api_token}"}
            if content_type:
                headers["Content-Type"] = content_type
            response = client.open(concrete(rule), method=method, data=body, headers=headers)
            assert 400 <= response.status_code < 500 or (method == "GET" and response.status_code in (200, 404)), \
                f"{method} {rule.rule} ({kind}): {response.status_code}"
            if response.status_code >= 400:
                assert response.is_json and response.json["error"], f"{method} {rule.rule}: no JSON error"


def test_the_request_size_limit_is_set(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


@pytest.mark.parametrize("path", ["/ivr/voice", "/sms/inbound", "/api/v1/cases"])
def test_a_10_mb_body_is_refused_with_413(client, api_token, path):
    body = b"Body=" + b"A" * (10 * 1024 * 1024)
    headers = {"X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC_BASE_URL + path, {"Body": "A" * 10})}
    if path.startswith("/api/"):
        body, headers = b'{"crime_reference": "' + b"1" * (10 * 1024 * 1024) + b'"}', {
            "Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    response = client.post(path, data=body, headers=headers, base_url=PUBLIC_BASE_URL,
                           content_type=headers.pop("Content-Type", "application/x-www-form-urlencoded"))
    assert response.status_code == 413, f"{path}: {response.status_code}"
    if path.startswith("/api/"):
        assert response.is_json and response.json["error"]


def test_a_body_just_under_the_limit_still_works(app, twilio_post):
    """The limit is for abuse, not for long texts: a 900 kB inbound text is answered."""
    app.config["MAX_FORM_MEMORY_SIZE"] = None  # only the overall limit is under test here
    response = twilio_post("/sms/inbound", {"MessageSid": "SM" + "9" * 32, "From": "+447911123456",
                                            "Body": "A" * 900_000})
    assert response.status_code == 200 and twiml.is_twiml(response)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_on_webhooks_are_405(app, client, method):
    for rule in twilio_rules(app):
        response = client.open(concrete(rule), method=method, base_url=PUBLIC_BASE_URL)
        assert response.status_code == 405, f"{method} {rule.rule}: {response.status_code}"


def test_values_no_column_can_hold_are_not_stored(app, twilio_post):
    """A call status with a duration and sequence past a 32-bit integer, and a
    direction with a NUL in it: stored as unknown, not a failed write (503)."""
    sid = "CA" + "8" * 32
    response = twilio_post("/ivr/status", {"CallSid": sid, "CallStatus": "completed", "Direction": "in\x00bound",
                                           "CallDuration": "9" * 30, "SequenceNumber": "99999999999"})
    assert response.status_code == 204, response.status_code
    from sqlmodel import select

    from models.calls import Call
    from models.db import session

    with app.app_context():
        call = session().exec(select(Call).where(Call.call_sid == sid)).one()
        assert (call.status, call.duration_seconds, call.direction) == ("completed", None, None)


@pytest.mark.parametrize("where", ["body", "query"])
def test_nul_characters_in_api_text_are_refused(api, where):
    if where == "body":
        response = api.post("/cases", {"crime_reference": "5201234/26", "victim_phone": "07911 123456",
                                       "victim_name": "a\x00b"})
    else:
        response = api.get("/surveys?borough=Lam%00beth")
    # a bad body is a 422, a bad query parameter a 400
    assert response.status_code == (422 if where == "body" else 400) and "NUL" in response.json["error"], \
        response.json


def test_a_nul_in_an_inbound_text_is_dropped(twilio_post):
    response = twilio_post("/sms/inbound", {"MessageSid": "SM" + "6" * 32, "From": "+447911123456",
                                            "Body": "HE\x00LP"})
    assert response.status_code == 200 and b"Reply CALL for a call back" in response.get_data()  # the help text


@pytest.mark.parametrize("code", ["²", "9" * 30, "-1", "30003"])
def test_odd_error_codes_on_delivery_callbacks(twilio_post, code):
    response = twilio_post("/sms/status", {"MessageSid": "SM" + "4" * 32, "MessageStatus": "failed",
                                           "ErrorCode": code})
    assert response.status_code == 204, response.status_code
