"""The fake Twilio REST API, driven by the real twilio-python client from make_client."""
from __future__ import annotations

import threading
from email.utils import parsedate_to_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient

from tests.emulator.rest_api import FakeTwilioAPI, load_contract
from services.twilio_client import RebasedHttpClient, make_client

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
DESK = "+442079460000"
VICTIM = "+447700900123"
CLIENT_TIMEOUT = 0.5


@pytest.fixture
def fake():
    with FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN) as api:
        yield api


def client_for(fake, token=AUTH_TOKEN, account_sid=ACCOUNT_SID):
    return make_client({"TWILIO_ACCOUNT_SID": account_sid, "TWILIO_AUTH_TOKEN": token,
                        "TWILIO_API_BASE": fake.base_url, "TWILIO_HTTP_TIMEOUT": str(CLIENT_TIMEOUT)})


@pytest.fixture
def client(fake):
    return client_for(fake)


def send_sms(client, to=VICTIM, body="Your case reference is 42"):
    return client.messages.create(to=to, from_=DESK, body=body,
                                  status_callback="https://desk.example.org/sms/status")


def api_url(rest: str) -> str:
    return f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/{rest}"


# ---------------------------------------------------------------- make_client

def test_make_client_talks_to_twilio_directly_by_default():
    client = make_client({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN})
    assert type(client.http_client) is TwilioHttpClient
    assert client.http_client.timeout == 10.0
    assert client.account_sid == ACCOUNT_SID


@pytest.mark.parametrize("url, expected", [
    ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1",
     "http://127.0.0.1:9999/prefix/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1"),
    ("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json",
     "http://127.0.0.1:9999/prefix/2010-04-01/Accounts.json"),
    ("https://example.org/2010-04-01/Accounts.json", "https://example.org/2010-04-01/Accounts.json"),
    ("https://twilio.com.evil.example/x", "https://twilio.com.evil.example/x"),
])
def test_rebased_client_rewrites_only_twilio_hosts(url, expected):
    assert RebasedHttpClient("http://127.0.0.1:9999/prefix/").rebase(url) == expected


def test_make_client_uses_the_configured_base_and_timeout(client):
    assert isinstance(client.http_client, RebasedHttpClient)
    assert client.http_client.timeout == CLIENT_TIMEOUT


# ---------------------------------------------------------------- Messages

def test_creates_and_fetches_a_message(fake, client):
    message = send_sms(client)

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_) == ("queued", VICTIM, DESK)
    assert message.body == "Your case reference is 42"
    assert message.direction == "outbound-api" and message.num_segments == "1"
    assert message.date_created is not None  # twilio-python parsed the RFC 2822 date
    [recorded] = fake.messages_to(VICTIM)
    assert recorded.sid == message.sid
    assert recorded.params["StatusCallback"] == ["https://desk.example.org/sms/status"]
    assert parsedate_to_datetime(recorded["date_created"]).tzinfo is not None
    assert recorded["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message.sid}.json"
    assert client.messages(message.sid).fetch().body == "Your case reference is 42"
    assert fake.contract_violations == []


def test_messaging_service_messages_are_accepted_not_queued(fake, client):
    message = client.messages.create(to=VICTIM, messaging_service_sid="MG" + "0" * 32, body="hi")
    assert message.status == "accepted" and message.from_ is None


def test_long_unicode_body_counts_ucs2_segments(client):
    assert send_sms(client, body="é" * 200).num_segments == "2"   # é is GSM-7
    assert send_sms(client, body="✓" * 100).num_segments == "2"   # ✓ is not


def test_list_filters_by_recipient_and_follows_pages(fake, client):
    for _ in range(3):
        send_sms(client)
    send_sms(client, to="+447700900999")

    listed = client.messages.list(to=VICTIM, page_size=2)

    assert len(listed) == 3 and {m.to for m in listed} == {VICTIM}
    pages = [r for r in fake.requests if r.path.endswith("/Messages.json") and r.method == "GET"]
    assert len(pages) == 2  # the second page came through the next_page_uri, rebased


def test_fetching_an_unknown_message_is_twilios_404(client):
    with pytest.raises(TwilioRestException) as caught:
        client.messages("SM" + "0" * 32).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


# ---------------------------------------------------------------- Calls

def test_creates_a_call_with_repeated_key_array(fake, client):
    call = client.calls.create(to=VICTIM, from_=DESK, url="https://desk.example.org/voice/callback",
                               status_callback="https://desk.example.org/voice/status",
                               status_callback_event=["initiated", "ringing", "answered", "completed"])

    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert (call.status, call.to, call.direction) == ("queued", VICTIM, "outbound-api")
    [recorded] = fake.calls_to(VICTIM)
    assert recorded.params["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert fake.contract_violations == []


def test_updates_a_call(fake, client):
    call = client.calls.create(to=VICTIM, from_=DESK, twiml="<Response><Say>Hello</Say></Response>")

    redirected = client.calls(call.sid).update(url="https://desk.example.org/voice/next", method="POST")
    ended = client.calls(call.sid).update(status="completed")

    assert redirected.sid == call.sid and ended.status == "completed"
    assert fake.call(call.sid).updates == [
        {"Url": ["https://desk.example.org/voice/next"], "Method": ["POST"]},
        {"Status": ["completed"]},
    ]
    with pytest.raises(TwilioRestException) as caught:
        client.calls(call.sid).update(twiml="<Response/>")
    assert (caught.value.status, caught.value.code) == (400, 21220)


def test_cancel_only_ends_calls_not_yet_answered(fake, client):
    answered = fake.add_inbound_call(VICTIM, DESK)
    ringing = client.calls.create(to=VICTIM, from_=DESK, url="https://desk.example.org/voice/callback")

    assert client.calls(answered.sid).update(status="canceled").status == "in-progress"
    assert client.calls(ringing.sid).update(status="canceled").status == "canceled"


def test_unknown_calls_are_adopted_by_default(fake, client):
    sid = "CA" + "c" * 32  # e.g. an inbound call the app heard of by webhook
    client.calls(sid).update(twiml="<Response><Hangup/></Response>")
    assert fake.call(sid).origin == "adopted"


def test_unknown_calls_are_404_when_strict(client):
    with FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN, adopt_unknown=False) as strict:
        with pytest.raises(TwilioRestException) as caught:
            client_for(strict).calls("CA" + "c" * 32).update(status="completed")
    assert (caught.value.status, caught.value.code) == (404, 20404)


# ---------------------------------------------------------------- Queues

def test_queues_and_dequeueing(fake, client):
    queue = client.queues.create(friendly_name="victim-desk", max_size=50)
    first, second = fake.add_inbound_call(VICTIM, DESK), fake.add_inbound_call("+447700900456", DESK)
    fake.enqueue(first.sid, "victim-desk")
    fake.enqueue(second.sid, queue.sid)

    assert queue.sid.startswith("QU") and len(queue.sid) == 34
    assert [q.sid for q in client.queues.list()] == [queue.sid]
    assert client.queues(queue.sid).fetch().current_size == 2
    assert client.queues(queue.sid).members(second.sid).fetch().position == 2

    front = client.queues(queue.sid).members("Front").update(url="https://desk.example.org/voice/answer",
                                                             method="POST")
    assert front.call_sid == first.sid
    assert fake.dequeued == [{"queue_sid": queue.sid, "call_sid": first.sid,
                              "url": "https://desk.example.org/voice/answer", "method": "POST"}]
    assert [m["call_sid"] for m in fake.members(queue.sid)] == [second.sid]
    assert fake.contract_violations == []


def test_dequeueing_from_an_empty_queue_is_404(client):
    queue = client.queues.create(friendly_name="empty")
    with pytest.raises(TwilioRestException) as caught:
        client.queues(queue.sid).members("Front").update(url="https://desk.example.org/voice/answer")
    assert (caught.value.status, caught.value.code) == (404, 20404)


# ---------------------------------------------------------------- authentication

@pytest.mark.parametrize("token, account_sid", [("wrong-token", ACCOUNT_SID), (AUTH_TOKEN, "AC" + "b2" * 16)])
def test_bad_credentials_are_rejected(fake, token, account_sid):
    with pytest.raises(TwilioRestException) as caught:
        send_sms(client_for(fake, token=token, account_sid=account_sid))
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert fake.messages == []


def test_unauthenticated_request_gets_twilios_error_shape(fake):
    response = requests.post(f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
                             data={"To": VICTIM, "From": DESK, "Body": "x"}, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"code": 20003, "message": "Authenticate",
                               "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
    assert response.headers["WWW-Authenticate"].startswith("Basic")


# ---------------------------------------------------------------- fault injection

@pytest.mark.parametrize("fault, status, code", [
    ({}, 429, 20429),
    ({"code": 21610}, 400, 21610),
    ({"code": 21211}, 400, 21211),
    ({"code": 21614}, 400, 21614),
    ({"status": 500}, 500, 20500),
    ({"status": 503}, 503, 20503),
])
def test_injected_errors_surface_as_twilio_rest_exceptions(fake, client, fault, status, code):
    fake.fail_next(1, on="Messages", **fault)

    with pytest.raises(TwilioRestException) as caught:
        send_sms(client)

    assert (caught.value.status, caught.value.code) == (status, code)
    assert fake.messages == []
    assert send_sms(client).status == "queued"  # only the next one failed


def test_invalid_number_error_names_the_number(fake, client):
    fake.fail_next(code=21211)
    with pytest.raises(TwilioRestException) as caught:
        send_sms(client)
    assert f"The 'To' number {VICTIM} is not a valid phone number." in caught.value.msg


def test_fail_next_counts_and_matches_resource_and_number(fake, client):
    fake.fail_next(2, code=20429, on="Messages", to=VICTIM)

    send_sms(client, to="+447700900999")                  # other number: unaffected
    client.calls.create(to=VICTIM, from_=DESK, url="https://x.example/cb")  # other resource: unaffected
    for _ in range(2):
        with pytest.raises(TwilioRestException):
            send_sms(client)
    send_sms(client)

    assert [m["to"] for m in fake.messages] == ["+447700900999", VICTIM]


def test_fail_always_is_a_standing_rule(fake, client):
    fake.fail_always(21610, to=VICTIM)
    for _ in range(3):
        with pytest.raises(TwilioRestException) as caught:
            send_sms(client)
        assert caught.value.code == 21610
    fake.clear_faults()
    assert send_sms(client).to == VICTIM


# twilio-python does not wrap transport errors: a timed-out request raises requests'
# own requests.exceptions.ReadTimeout (a requests.exceptions.Timeout), not a
# TwilioRestException.  Workers must catch both.
def test_timeout_before_twilio_creates_the_message(fake, client):
    fake.timeout_next(delay=CLIENT_TIMEOUT * 4, on="Messages")

    with pytest.raises(requests.exceptions.ReadTimeout):
        send_sms(client)

    assert fake.messages == []
    assert len(fake.requests) == 1


def test_timeout_after_twilio_created_the_message(fake, client):
    fake.timeout_next(delay=CLIENT_TIMEOUT * 4, created=True, on="Messages")

    with pytest.raises(requests.exceptions.Timeout):
        send_sms(client)

    [created] = fake.messages_to(VICTIM)  # sent, though the worker never heard so
    assert created["status"] == "queued"


# ---------------------------------------------------------------- the contract check

def test_missing_to_is_a_contract_violation(fake, client):
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=None, from_=DESK, body="hello")
    assert (caught.value.status, caught.value.code) == (400, 21604)
    [violation] = fake.contract_violations
    assert violation.problems == ["missing required form parameter 'To'"]
    assert fake.messages == []


def test_unknown_parameter_is_a_contract_violation(fake, client):
    response = client.request("POST", api_url("Messages.json"),
                              data={"To": VICTIM, "From": DESK, "Body": "x", "Bodyy": "typo"})
    assert response.status_code == 400
    assert fake.contract_violations[0].problems == ["unknown form parameter 'Bodyy'"]


def test_bad_enum_value_is_a_contract_violation(fake, client):
    call = fake.add_inbound_call(VICTIM, DESK)
    with pytest.raises(TwilioRestException) as caught:
        client.calls(call.sid).update(status="hangup")
    assert caught.value.status == 400
    assert "Status: 'hangup' is not one of ['canceled', 'completed']" in fake.contract_violations[0].problems


@pytest.mark.parametrize("method, rest, data, problem", [
    ("POST", "Messages.json", {"To": [VICTIM, VICTIM], "From": DESK, "Body": "x"},
     "To given 2 times but is not an array"),
    ("POST", "Calls.json", {"To": VICTIM, "From": DESK}, "Url, Twiml or ApplicationSid is required"),
    ("POST", "Calls.json", {"To": VICTIM, "From": DESK, "Url": "https://x", "Timeout": "soon"},
     "Timeout: 'soon' is not of type 'integer'"),
    ("PUT", "Messages.json", {}, "PUT is not allowed on /2010-04-01/Accounts/{AccountSid}/Messages.json"),
    ("GET", "Nonsense.json", {}, "path is not in the contract (twilio_spec/twilio_rest_subset.json)"),
    ("GET", "Calls/CA123.json", {}, "Sid: 'CA123' is too short"),
])
def test_off_spec_requests_are_recorded(fake, client, method, rest, data, problem):
    response = client.request(method, api_url(rest), data=data)
    assert response.status_code >= 400
    [violation] = fake.contract_violations
    assert problem in violation.problems


def test_spec_is_loaded_once_per_process():
    assert load_contract() is load_contract()


# ---------------------------------------------------------------- callbacks and waiting

def test_deliver_status_builds_callback_params(fake, client):
    message = send_sms(client)

    params = fake.deliver_status(message.sid, "undelivered", error_code=30003)

    assert params == {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "MessageSid": message.sid,
                      "SmsSid": message.sid, "MessageStatus": "undelivered", "SmsStatus": "undelivered",
                      "From": DESK, "To": VICTIM, "ErrorCode": "30003"}
    fetched = client.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)
    with pytest.raises(ValueError):
        fake.deliver_status(message.sid, "lost")


def test_call_status_params_count_up(fake, client):
    call = client.calls.create(to=VICTIM, from_=DESK, url="https://desk.example.org/voice/callback")

    ringing = fake.call_status_params(call.sid, "ringing")
    done = fake.call_status_params(call.sid, "completed", duration=42)

    assert (ringing["CallStatus"], ringing["SequenceNumber"]) == ("ringing", "0")
    assert ringing["Direction"] == "outbound-api"
    assert (done["SequenceNumber"], done["CallDuration"], done["To"]) == ("1", "42", VICTIM)
    assert "CallDuration" not in ringing
    assert client.calls(call.sid).fetch().duration == "42"


def test_wait_for_sees_work_done_on_another_thread(fake, client):
    threading.Timer(0.1, send_sms, args=(client,)).start()
    [message] = fake.wait_for(lambda: fake.messages_to(VICTIM), timeout=5)
    assert message["body"] == "Your case reference is 42"
    with pytest.raises(AssertionError):
        fake.wait_for(lambda: fake.messages_to("+440000000000"), timeout=0.1)
