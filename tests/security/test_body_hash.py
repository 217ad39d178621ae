"""A webhook with a JSON body: Twilio signs the URL alone, with the body's SHA-256 in its
``bodySHA256`` query parameter, so the body must match that hash."""
from __future__ import annotations

import hashlib
import json

from emulator.signing import sign
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

BODY = json.dumps({"CallSid": "CA" + "5" * 32, "CallStatus": "in-progress"})


def post_json(client, signed_body: str, sent_body: str | None = None, *, with_hash: bool = True):
    path = "/ivr/fallback"
    if with_hash:
        path += "?bodySHA256=" + hashlib.sha256(signed_body.encode()).hexdigest()
    signature = sign(AUTH_TOKEN, PUBLIC_BASE_URL + path, {})
    return client.post(path, data=signed_body if sent_body is None else sent_body, content_type="application/json",
                       base_url=PUBLIC_BASE_URL, headers={"X-Twilio-Signature": signature})


def test_a_json_body_matching_its_signed_hash_is_accepted(client):
    assert post_json(client, BODY).status_code == 200


def test_a_json_body_changed_after_signing_is_refused(client):
    tampered = BODY.replace("in-progress", "completed")
    assert post_json(client, BODY, tampered).status_code == 403


def test_a_json_body_without_a_signed_hash_is_refused(client):
    # the signature would cover the URL alone, and so nothing of the body
    assert post_json(client, BODY, with_hash=False).status_code == 403
