"""Who may call each route.  Every rule in the app's url_map is a Twilio webhook
(signature), a JSON API route (bearer token) or a page for people; nothing is
reachable by accident.  tests/test_webhook_signatures.py checks the unsigned and
forged cases; this adds the URLs Twilio is sent to by the app's own TwiML and REST
calls, tampering with the signed query string, and the API's tokens."""
from __future__ import annotations

import pytest

from emulator.caller import Caller
from emulator.signing import sign
from tests.security import twiml
from tests.support.routes import (OPERATIONS, API_PREFIX, PEOPLE_PREFIXES, TWILIO_PREFIXES, api_rules, concrete,
                                  methods, rules, signed_endpoint, twilio_rules)
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

from tests.fixtures.agents import add_agent, call_status, route, twilio_fetch  # noqa: F401

VICTIM = "+447911123456"
AGENT_PHONE = "+447911200001"
SID = "CA" + "0" * 32


def test_every_route_is_a_webhook_an_api_route_or_a_page(app):
    unclassified, signed_elsewhere = [], []
    for rule in rules(app):
        signed = getattr(app.view_functions[rule.endpoint], "twilio_signed", False)
        if rule.rule.startswith(TWILIO_PREFIXES):
            continue  # each is checked for the signature guard below
        if signed:
            signed_elsewhere.append(rule.rule)
        if not (rule.rule.startswith(API_PREFIX) or rule.rule.startswith(PEOPLE_PREFIXES)
                or rule.rule in OPERATIONS):
            unclassified.append(rule.rule)
    assert unclassified == [], f"routes nobody has decided who may call: {unclassified}"
    assert signed_elsewhere == [], f"Twilio webhooks outside /ivr/ and /sms/: {signed_elsewhere}"
    unsigned = [r.rule for r in twilio_rules(app)
                if not getattr(app.view_functions[r.endpoint], "twilio_signed", False)]
    assert unsigned == [], f"routes under /ivr/ or /sms/ without the signature check: {unsigned}"
    assert len(twilio_rules(app)) >= 20 and len(api_rules(app)) >= 9


def test_twilio_routes_accept_only_post(app, client):
    """Twilio is always configured to POST here; a GET (which would sign no body) is 405."""
    for rule in twilio_rules(app):
        assert methods(rule) == ["POST"], f"{rule.rule} answers {methods(rule)}"
        path = concrete(rule)
        signature = sign(AUTH_TOKEN, PUBLIC_BASE_URL + path + "?CallSid=" + SID)
        got = client.get(path + "?CallSid=" + SID, base_url=PUBLIC_BASE_URL,
                         headers={"X-Twilio-Signature": signature})
        assert got.status_code == 405, f"GET {rule.rule} answered {got.status_code}"


@pytest.mark.parametrize("tamper", ["offer", "added", "dropped", "internal-url"])
def test_the_signature_covers_the_query_string_and_the_public_url(app, client, tamper):
    """Agent webhooks carry their offer in ?offer=; a signature for one offer must
    not work for another, and one computed for the internal URL is no signature."""
    params = {"CallSid": SID, "AccountSid": "AC" + "a1" * 16, "CallStatus": "completed"}
    signed_path = "/ivr/agent/status?offer=1"
    sent_path = {"offer": "/ivr/agent/status?offer=2", "added": "/ivr/agent/status?offer=1&x=1",
                 "dropped": "/ivr/agent/status", "internal-url": signed_path}[tamper]
    signed_url = ("http://localhost" if tamper == "internal-url" else PUBLIC_BASE_URL) + signed_path
    headers = {"X-Twilio-Signature": sign(AUTH_TOKEN, signed_url, params)}
    assert client.post(sent_path, data=params, headers=headers, base_url=PUBLIC_BASE_URL).status_code == 403
    genuine = {"X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC_BASE_URL + signed_path, params)}
    assert client.post(signed_path, data=params, headers=genuine, base_url=PUBLIC_BASE_URL).status_code == 204


# --- the URLs the app itself sends Twilio to -------------------------------------------


class TwiMLRecorder:
    """A test client that notes every URL a TwiML reply sends Twilio to next."""

    def __init__(self, client):
        self.client, self.sent_to = client, []

    def open(self, path, *args, **kwargs):
        response = self.client.open(path, *args, **kwargs)
        if response.status_code == 200 and twiml.is_twiml(response):
            root = twiml.parse(response.get_data(), messaging=path.startswith("/sms/"))
            self.sent_to += [(m, u, path) for m, u in twiml.next_urls(root, PUBLIC_BASE_URL + path)]
        return response


def _pick_up(recorder, clock, ring) -> Caller:
    """The agent answers the REST call: Twilio runs its Url on the agent's leg."""
    return Caller(recorder, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=ring["from"], to=ring["to"],
                  voice_url=twiml.app_path(PUBLIC_BASE_URL, ring.params["Url"][0]), call_sid=ring.sid,
                  clock=clock).dial()


def test_every_url_twilio_is_given_is_a_signed_webhook(app, client, clock, fake_twilio, route, twilio_fetch,
                                                        call_status, add_agent):
    """Walk a caller into the queue, ring an agent (REST), take the call, then book a
    callback and place it: every action, waitUrl, Redirect, <Number url>, REST Url and
    StatusCallback must be a signed webhook accepting that method."""
    recorder = TwiMLRecorder(client)
    add_agent("agent-a", AGENT_PHONE, idle=30)
    caller = Caller(recorder, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=VICTIM, to=DESK_NUMBER,
                    status_url="/ivr/status", clock=clock).dial()
    caller.press("2")
    caller.wait_in_queue(polls=1, position=1, size=1)
    [ring] = route()
    agent = _pick_up(recorder, clock, ring)
    agent.press("1")
    call_status(ring, "in-progress")
    caller.answered_by_agent()
    agent.dial_outcome("completed", duration=60)
    call_status(ring, "completed")

    booking = Caller(recorder, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_="+447911123457",
                     to=DESK_NUMBER, status_url="/ivr/status", clock=clock).dial()
    for key in "311121":  # callback, this number, safe, no voicemail, any time, confirm
        booking.press(key)
    clock.advance(minutes=2)  # past the agent's wrap-up
    from workers.router import dispatch as sweep

    with app.app_context():
        from desk.queues import queue

        queue(app.config, "default").enqueue(sweep)
    [placing] = [c for c in route() if c["to"] == AGENT_PHONE]
    _pick_up(recorder, clock, placing).press("1")
    # no voicemail consent: <Number url=callback/screen>; consent: a REST call (async AMD)
    number = next((u for m, u, _ in recorder.sent_to if "/callback/screen" in u), None)
    if number is None:
        number = next(c.params["Url"][0] for c in fake_twilio.calls if "/callback/answered" in c.params["Url"][0])
    twilio_fetch(twiml.app_path(PUBLIC_BASE_URL, number), {"CallSid": "CA" + "7" * 32, "AnsweredBy": "human"})

    sent_to = list(recorder.sent_to)
    for call in fake_twilio.calls:
        for name in ("Url", "StatusCallback", "AsyncAmdStatusCallback"):
            for url in call.params.get(name, []):
                method = (call.params.get(f"{name}Method") or call.params.get("Method") or ["POST"])[0]
                sent_to.append((method.upper(), url, "REST Calls.create"))
    for message in fake_twilio.messages:
        for url in message.params.get("StatusCallback", []):
            sent_to.append(("POST", url, "REST Messages.create"))
    reached = set()
    for method, url, where in sent_to:
        endpoint = signed_endpoint(app, method, url)
        if endpoint is None:
            continue
        assert getattr(app.view_functions[endpoint], "twilio_signed", False), \
            f"{where} sends Twilio to {url}, which does not check the signature"
        reached.add(endpoint)
    assert {"ivr.step", "ivr.queue_wait", "ivr.queue_exit", "ivr_agent.answer",
            "ivr_agent.accept", "ivr_agent.no_key", "ivr_agent.status", "ivr_agent.dial_result",
            "ivr_agent.callback_dial_result"} <= reached, reached
    assert {"ivr_agent.callback_screen"} <= reached or {"ivr_agent.callback_answered", "ivr_agent.callback_amd",
                                                         "ivr_agent.callback_victim_status"} <= reached, reached


# --- the JSON API -------------------------------------------------------------------------


def _revoked_token(app) -> str:
    from services.api_tokens import issue_token

    with app.app_context():
        token = issue_token("revoked-integration", scopes=["cases:read"])
    result = app.test_cli_runner().invoke(args=["api-token", "revoke", "revoked-integration"])
    assert result.exit_code == 0, result.output
    return token


def test_every_api_route_answers_401_without_a_live_token(app, client, api_token):
    revoked = _revoked_token(app)
    bad = {
        "no header": {},
        "empty": {"Authorization": ""},
        "basic auth": {"Authorization": "Basic Y2FzZTpzeXN0ZW0="},
        "bearer without token": {"Authorization": "Bearer "},
        "wrong token": {"Authorization": "Bearer vfd_" + "x" * 43},
        "token with a changed letter": {"Authorization": "Bearer " + api_token[:-1]
                                        + ("A" if api_token[-1] != "A" else "B")},
        "revoked token": {"Authorization": f"Bearer {revoked}"},
        "unicode": {"Authorization": "Bearer \u00e9\u00e9"},
        "huge": {"Authorization": "Bearer " + "a" * 20_000},
    }
    checked = 0
    for rule in api_rules(app):
        path = concrete(rule)
        for method in methods(rule):
            for name, headers in bad.items():
                response = client.open(path, method=method, headers=headers, json={})
                assert response.status_code == 401, f"{method} {rule.rule} with {name}: {response.status_code}"
                assert response.is_json and response.json["error"], f"{method} {rule.rule}: no JSON error"
                checked += 1
            live = client.open(path, method=method, headers={"Authorization": f"Bearer {api_token}"}, json={})
            assert live.status_code != 401 and live.status_code < 500, f"{method} {rule.rule}: {live.status_code}"
    assert checked >= 9 * len(bad)


def test_the_openapi_document_is_public_and_lists_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json")
    assert doc.status_code == 200
    documented = {(path, method.upper()) for path, ops in doc.json["paths"].items() for method in ops}
    served = set()
    for rule in api_rules(app):
        path = rule.rule.removeprefix("/api/v1")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        for method in methods(rule):
            served.add((path.replace("qr.{fmt}", "qr.svg"), method))
    assert served - documented == set(), f"API routes missing from the OpenAPI document: {served - documented}"
    assert documented - served == set(), f"documented but not served: {documented - served}"
    assert doc.json["security"] == [{"bearer": []}]


# --- the console -----------------------------------------------------------------------------


def test_console_pages_need_a_staff_login(app, client):
    """Without a session, no console page shows anything and no console form does anything."""
    for rule in rules(app):
        if not rule.rule.startswith("/console/") or rule.rule == "/console/login" \
                or rule.rule.endswith("/static/<path:filename>"):
            continue
        path = concrete(rule)
        for method in methods(rule):
            response = client.open(path, method=method, data={"csrf_token": "x"})
            assert response.status_code in (302, 303, 401, 403, 400), \
                f"{method} {rule.rule} without a login answered {response.status_code}"
            if response.status_code in (302, 303):
                assert "/console/login" in response.headers["Location"], response.headers["Location"]
