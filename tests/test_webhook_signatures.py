"""Every Twilio-facing route refuses a request Twilio did not sign."""
import pytest
from twilio.request_validator import RequestValidator

from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

# Routes Twilio never calls: the JSON API (bearer tokens) and staff/public pages (the
# email's one-click unsubscribe, RFC 8058, is a POST a mail client makes, with a signed token).
NOT_TWILIO = ("/api/", "/static/", "/s/", "/leaflet", "/console", "/staff", "/qr", "/email/unsubscribe/",
              "/forum/withdraw/")


def twilio_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith(NOT_TWILIO):
            continue
        if "POST" in rule.methods or rule.rule.startswith(("/ivr", "/sms")):
            yield rule


def test_every_twilio_route_is_wrapped_in_the_signature_check(app):
    routes = list(twilio_routes(app))
    assert {"/ivr/voice", "/ivr/status", "/sms/inbound", "/sms/status"} <= {r.rule for r in routes}
    unguarded = [r.rule for r in routes
                 if not getattr(app.view_functions[r.endpoint], "twilio_signed", False)]
    assert unguarded == [], f"Twilio routes without @twilio_webhook: {unguarded}"


def _concrete(rule) -> str:
    return rule.build({name: "1" for name in rule.arguments}, append_unknown=False)[1]


def test_every_twilio_route_answers_403_to_unsigned_and_forged_requests(app, client):
    params = {"CallSid": "CA" + "0" * 32, "From": "+447911123456", "To": "+442079460000",
              "AccountSid": app.config["TWILIO_ACCOUNT_SID"]}
    forged = RequestValidator("not-the-token").compute_signature(PUBLIC_BASE_URL + "/ivr/voice", params)
    for rule in twilio_routes(app):
        path = _concrete(rule)
        method = "post" if "POST" in rule.methods else "get"
        unsigned = getattr(client, method)(path, data=params)
        assert unsigned.status_code == 403, f"{rule.rule} accepted an unsigned request"
        wrong = getattr(client, method)(path, data=params, headers={"X-Twilio-Signature": forged})
        assert wrong.status_code == 403, f"{rule.rule} accepted a forged signature"


def _post(client, path, params, signature, headers=None):
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature, **(headers or {})})


def test_a_correctly_signed_request_passes_and_a_tampered_one_does_not(client):
    params = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "a1" * 16}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + "/sms/status", params)
    assert _post(client, "/sms/status", params, signature).status_code in (200, 204)
    assert _post(client, "/sms/status", {**params, "MessageStatus": "failed"}, signature).status_code == 403
    # signed for another host (the URL Twilio was given is what counts)
    other = RequestValidator(AUTH_TOKEN).compute_signature("https://evil.example/sms/status", params)
    assert _post(client, "/sms/status", params, other).status_code == 403


@pytest.mark.parametrize("secret_setting", [None, "shared-key-secret"])
def test_hmac_sha256_signatures_are_accepted(app, client, secret_setting):
    app.config["TWILIO_WEBHOOK_SHARED_KEY"] = secret_setting
    secret = secret_setting or AUTH_TOKEN
    params = {"MessageSid": "SM" + "2" * 32, "MessageStatus": "sent", "AccountSid": "AC" + "a1" * 16}
    url = PUBLIC_BASE_URL + "/sms/status"
    signature = RequestValidator(secret).compute_signature(url, params, "HMAC_SHA256")
    settings = {"X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"}
    assert _post(client, "/sms/status", params, signature, settings).status_code in (200, 204)
    sha1 = RequestValidator(secret).compute_signature(url, params)
    assert _post(client, "/sms/status", params, sha1, settings).status_code == 403
