"""Every Twilio webhook, fed signed requests with random parameters (Twilio's names and
others; unicode, right-to-left text, emoji, control characters, empty and ~100 kB
values, numbers that are not numbers) and random query strings.  Whatever arrives
with a valid signature, the answer is never a 5xx: it is a 4xx, a 2xx for a status
callback, or TwiML made of real verbs; and a caller is never left in silence."""
from __future__ import annotations

import logging
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from models.agents import Agent, AgentOffer
from models.callbacks import CallbackAttempt, CallbackRequest
from models.db import session
from emulator.caller import Caller
from tests.security import twiml
from tests.support.routes import MESSAGING, STATUS_CALLBACKS, concrete, signed_endpoint
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

VICTIM = "+447911123456"

# Fixed example counts and derandomised generation: the same requests on every run,
# so CI is reproducible and the file stays within seconds.
# FUZZ_EXAMPLES=200 for a longer hunt by hand.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), derandomize=True, deadline=None,
                database=None, print_blob=True,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: ~100 kB examples shrink slowly
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example, HealthCheck.filter_too_much])

# A bare <Hangup/> is a deliberate end (a call the flow has finished, a Dial that
# ended in a conversation).  Where an empty or other wordless reply is deliberate:
#   callback/screen  empty: put the answering victim through
#   agent/hold       <Pause/> keeps an agent waiting for the caller; <Leave/> lets them go
WORDLESS_OK = {"/ivr/agent/callback/screen": {""}, "/ivr/agent/hold": {"Pause", "Leave"}}

SAMPLES = [
    "", " ", "\x00", "\x07\x1b[31m", "\r\n", "\ufeff", "\u202e+447911123456", "\u200f\u05e9\u05dc\u05d5\u05dd",
    "مرحبا ١٢٣", "٣٣٣", "²", "½", "🙂", "👩‍👩‍👧‍👦", "\U0010ffff", "null", "None", "true", "-1", "0", "1e309",
    "NaN", "inf", "9" * 40, "0" * 30, "%", "%zz", "+", "&", "=", "<Say>hi</Say>", "]]>", "&amp;", "' OR 1=1--",
    "{{7*7}}", "${jndi:x}", "../../etc/passwd", "completed", "in-progress", "hangup", "machine_start", "human",
    "1", "2", "3", "9", "#", "*", "1#", "520123426#", "07911123456", "+447911123456", "anonymous",
    "client:agent", "sip:a@b.c", "CA" + "0" * 32, "SM" + "0" * 32,
]
# ~100 kB; at most one a request, in a parameter the app reads or in any other.
HUGE = ["A" * 100_000, "1" * 100_000, "٣" * 20_000, "🙂" * 10_000, "\x00" * 30_000, "%" * 50_000]

values = st.one_of(st.text(max_size=40), st.sampled_from(SAMPLES), st.text(st.characters(codec="utf-8"), max_size=300))
numbers = st.one_of(st.integers(-10**30, 10**30).map(str), st.integers(0, 2000).map(str), values)
digits = st.one_of(st.from_regex(r"[0-9*#]{0,25}", fullmatch=True), values)
sids = lambda prefix: st.one_of(st.from_regex(prefix + r"[0-9a-f]{32}", fullmatch=True), values)  # noqa: E731


def twilio_params(live: dict) -> st.SearchStrategy[dict]:
    """Webhook parameters with Twilio's names, some of them, plus a few of any name."""
    call_sid = st.one_of(st.sampled_from(live["call_sids"]), sids("CA"))
    phone = st.one_of(st.sampled_from([VICTIM, DESK_NUMBER, "+447911200001", "anonymous"]), values)
    known = {
        "CallSid": call_sid, "AccountSid": st.one_of(st.just("AC" + "a1" * 16), values), "From": phone,
        "To": phone, "Caller": phone, "Called": phone, "Direction": st.one_of(
            st.sampled_from(["inbound", "outbound-api", "outbound-dial"]), values),
        "CallStatus": st.one_of(st.sampled_from(["queued", "ringing", "in-progress", "completed", "busy",
                                                 "failed", "no-answer", "canceled"]), values),
        "Digits": digits, "SpeechResult": values, "Confidence": numbers,
        "QueuePosition": numbers, "QueueTime": numbers, "AvgQueueTime": numbers, "CurrentQueueSize": numbers,
        "QueueResult": st.one_of(st.sampled_from(["bridged", "queue-full", "hangup", "leave", "redirected",
                                                  "error", "system-error"]), values),
        "QueueSid": sids("QU"), "DequeingCallSid": call_sid, "DialCallSid": sids("CA"),
        "DialCallStatus": st.one_of(st.sampled_from(["completed", "busy", "no-answer", "failed", "canceled",
                                                     "answered"]), values),
        "DialCallDuration": numbers, "CallDuration": numbers, "SequenceNumber": numbers,
        "Timestamp": st.one_of(st.just("Mon, 23 Nov 2026 10:00:00 +0000"), values),
        "AnsweredBy": st.one_of(st.sampled_from(["human", "machine_start", "machine_end_beep", "fax", "unknown"]),
                                values),
        "Body": values, "MessageSid": st.one_of(sids("SM"), values), "SmsSid": sids("SM"),
        "SmsMessageSid": sids("SM"), "MessageStatus": st.one_of(st.sampled_from(
            ["queued", "sent", "delivered", "undelivered", "failed", "read"]), values),
        "SmsStatus": values, "ErrorCode": numbers, "NumMedia": numbers, "NumSegments": numbers,
        "MediaUrl0": values, "ApiVersion": values,
    }
    extra = st.dictionaries(st.text(min_size=1, max_size=30), values, max_size=3)
    huge = st.one_of(st.just({}), st.just({}), st.just({}),
                     st.tuples(st.sampled_from([*known, "Extra"]), st.sampled_from(HUGE)).map(lambda kv: dict([kv])))
    return st.tuples(st.fixed_dictionaries({}, optional=known), extra, huge).map(
        lambda parts: {**parts[1], **parts[0], **parts[2]})


def query_params(live: dict, rule_path: str) -> st.SearchStrategy[dict]:
    """Agent webhooks carry their offer in the query string: mostly a live one."""
    extra = st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=2)
    if not rule_path.startswith("/ivr/agent/"):
        return st.one_of(st.just({}), extra)
    live_offer = st.sampled_from(live["offer_ids"])
    offer = st.one_of(live_offer, live_offer, live_offer, numbers)
    return st.tuples(st.fixed_dictionaries({"offer": offer}), extra).map(lambda pair: {**pair[1], **pair[0]})


@pytest.fixture
def live(app, clock):
    """Calls at different points in the menu and in the queue, an agent, and offers
    for a queued caller and a callback: so random requests reach real states."""
    client = app.test_client()
    calls = []
    for keys in ("", "1", "32", "2", "3"):  # menu; case reference; typed number; queue; callback
        call = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=VICTIM, to=DESK_NUMBER,
                      clock=clock).dial()
        for key in keys:
            call.press(key)
        calls.append(call.call_sid)
    with app.app_context():
        db = session()
        agent = Agent(name="agent-a", phone="+447911200001", skills=["en"], state="busy")
        db.add(agent)
        db.flush()
        callback = CallbackRequest(phone=VICTIM, status="in_progress", agent_id=agent.id, attempts=0)
        db.add(callback)
        db.flush()
        attempt = CallbackAttempt(callback_id=callback.id, attempt_no=1, agent_id=agent.id)
        db.add(attempt)
        db.flush()
        offers = [AgentOffer(agent_id=agent.id, kind="queue", status=status, caller_call_sid=calls[3],
                             agent_call_sid=f"CA{i:032x}") for i, status in enumerate(("ringing", "accepted"))]
        offers.append(AgentOffer(agent_id=agent.id, kind="callback", status="ringing", callback_id=callback.id,
                                 callback_attempt_id=attempt.id, agent_call_sid="CA" + "c" * 32))
        db.add_all(offers)
        db.commit()
        initial = {o.id: o.status for o in offers}

    def reset() -> None:
        """Offers back to ringing/accepted and the callback due, before each request."""
        with app.app_context():
            db = session()
            for offer_id, status in initial.items():
                db.get(AgentOffer, offer_id).status = status
            db.get(CallbackRequest, callback.id).status = "in_progress"
            db.get(CallbackRequest, callback.id).agent_id = agent.id
            db.commit()

    return {"call_sids": calls, "offer_ids": [str(i) for i in initial], "reset": reset}


@pytest.fixture
def failures():
    """Errors logged with a traceback while handling a request.  The webhooks' safety
    nets (fallback TwiML, hold music) are for outages; bad input must not need them."""
    caught: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            if record.exc_info and record.name.startswith(("ivr", "sms", "desk", "flows", "workers", "models")):
                caught.append(self.format(record))

    handler = Catch(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    yield caught
    logging.getLogger().removeHandler(handler)


def _short(params: dict) -> dict:
    return {k[:40]: (v if len(v) < 200 else f"{v[:20]!r}… ({len(v)} characters)") for k, v in params.items()}


def check_reply(app, rule_path: str, response) -> None:
    where = f"{rule_path} answered {response.status_code}"
    assert response.status_code < 500, f"{where}:\n{response.get_data(as_text=True)[:2000]}"
    if response.status_code >= 300:
        return
    body = response.get_data()
    if rule_path in STATUS_CALLBACKS:
        assert not body.strip() or twiml.is_twiml(response), f"{where} with a body Twilio would ignore"
        return
    assert response.status_code == 200 and twiml.is_twiml(response), \
        f"{where} with {response.content_type!r}: Twilio needs TwiML here"
    root = twiml.parse(body, messaging=rule_path in MESSAGING)
    for method, url in twiml.next_urls(root, PUBLIC_BASE_URL + rule_path):
        endpoint = signed_endpoint(app, method, url)
        assert endpoint is None or getattr(app.view_functions[endpoint], "twilio_signed", False), url
    if rule_path in MESSAGING:
        return
    verbs = {verb.tag for verb in root} or {""}
    if verbs == {"Hangup"} or (rule_path in WORDLESS_OK and verbs <= WORDLESS_OK[rule_path]):
        return
    # A caller (or agent) on the line hears something, or is passed on to a document that does.
    assert twiml.audible(root) or (len(root) and root[-1].tag in ("Redirect", "Leave")), \
        f"{where} with a reply nobody hears: {body[:500]!r}"


def test_the_route_list_is_the_app_s(app):
    """The parametrised list below is read from a default app at collection time;
    it must be the test app's list, so a new webhook is fuzzed as soon as it exists."""
    from tests.support.routes import twilio_rules

    assert [r.rule for r in twilio_rules(app)] == TWILIO_RULES


def _collected_rules() -> list[str]:
    from tests.support.routes import twilio_rules
    from wsgi import app as default_app

    return [r.rule for r in twilio_rules(default_app)]


TWILIO_RULES = _collected_rules()


@pytest.mark.parametrize("rule_path", TWILIO_RULES)
def test_signed_random_requests_never_break_a_webhook(app, twilio_post, live, rule_path, failures):
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_path)
    path = concrete(rule)

    @FUZZ
    @given(params=twilio_params(live), query=query_params(live, rule_path))
    def send(params, query):
        live["reset"]()
        response = twilio_post(path, params, query)
        try:
            check_reply(app, rule_path, response)
            assert not failures, f"{rule_path} failed inside and fell back:\n{failures[0]}"
        except AssertionError as exc:
            exc.add_note(f"query: {_short(query)}\nparams: {_short(params)}")
            raise

    send()


@pytest.mark.parametrize("token", ["", "x" * 100, "x" * 101, "\u00e9t\u00e9", "a" * 5000])
def test_odd_idempotency_tokens_on_inbound_texts(twilio_post, token):
    params = {"MessageSid": "SM" + "5" * 32, "From": VICTIM, "To": DESK_NUMBER, "Body": "HELP"}
    headers = {"I-Twilio-Idempotency-Token": token.encode().decode("latin-1")}
    response = twilio_post("/sms/inbound", params, headers=headers)
    assert response.status_code == 200 and twiml.is_twiml(response), response.status_code
    twiml.parse(response.get_data(), messaging=True)
