"""Tests of the Twilio emulator itself, against a toy app that checks signatures with
twilio's RequestValidator and answers with TwiML built by twilio's own classes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone

import pytest
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from emulator.caller import CallLoopError, Caller, run_interactive
from emulator.signing import app_path, post_signed, sign
from emulator.texter import Texter
from tests.emulator.toy_app import ToyApp

BASE = "https://desk.example.org"
TOKEN = "test-auth-token"
SHARED_KEY = "shared-key-secret"
SID = re.compile(r"^(CA|SM|QU|RE)[0-9a-f]{32}$")


class Clock:
    def __init__(self):
        self.now = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def toy():
    return ToyApp(auth_token=TOKEN, public_base_url=BASE)


def caller(toy, **options) -> Caller:
    return Caller(toy.test_client(), base_url=BASE, auth_token=TOKEN, **options)


def saying(text: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text)
    return response


def on(toy, path: str, build) -> None:
    """Serve the same TwiML for every request to path."""
    toy.route(path, lambda hit: build())


# --- signing -------------------------------------------------------------------------

def test_sign_matches_twilios_documented_example():
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    assert sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_sign_sha256_is_hmac_of_url_and_sorted_params():
    url, params = "https://desk.example.org/ivr/voice?x=1", {"To": "+44", "Body": "hi", "A": "1"}
    payload = url + "A1" + "Bodyhi" + "To+44"
    expected = base64.b64encode(hmac.new(b"k", payload.encode(), hashlib.sha256).digest()).decode()
    assert sign("k", url, params, "HMAC_SHA256") == expected


def test_post_signed_passes_the_apps_check_with_twilios_headers(toy):
    on(toy, "/ivr/voice", lambda: saying("ok"))
    response = post_signed(toy.test_client(), BASE, "/ivr/voice?x=1", {"From": "+447700900123"}, TOKEN)
    assert response.status_code == 200
    [hit] = toy.hits
    assert (hit.method, hit.path, hit.query, hit.params) == ("POST", "/ivr/voice", "x=1", {"From": "+447700900123"})
    assert hit.headers["Host"] == "desk.example.org"
    assert hit.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert hit.headers["X-Twilio-Signature"] == sign(TOKEN, BASE + "/ivr/voice?x=1", hit.params)
    assert hit.headers["I-Twilio-Idempotency-Token"]


def test_wrong_token_is_rejected_by_the_app(toy):
    on(toy, "/ivr/voice", lambda: saying("ok"))
    response = post_signed(toy.test_client(), BASE, "/ivr/voice", {"From": "+447700900123"}, "not-the-token")
    assert response.status_code == 403
    assert toy.rejected == 1 and toy.hits == []


def test_sha256_signature_with_shared_key():
    toy = ToyApp(auth_token=TOKEN, public_base_url=BASE, shared_key=SHARED_KEY)
    on(toy, "/ivr/voice", lambda: saying("ok"))
    good = post_signed(toy.test_client(), BASE, "/ivr/voice", {"A": "1"}, TOKEN,
                       algorithm="HMAC_SHA256", shared_key=SHARED_KEY)
    bad = post_signed(toy.test_client(), BASE, "/ivr/voice", {"A": "1"}, TOKEN,
                      algorithm="HMAC_SHA256", shared_key="wrong")
    assert (good.status_code, bad.status_code) == (200, 403)
    assert toy.hits[0].headers["X-Twilio-Webhooks-Signature-Settings"].endswith(",algorithm=HMAC_SHA256")


def test_urls_outside_the_app_are_refused():
    with pytest.raises(AssertionError, match="not served by the app"):
        app_path(BASE, "https://elsewhere.example.com/ivr/voice")


# --- the call: parameters, Say, Play, Pause ------------------------------------------

def test_dial_sends_twilios_call_parameters(toy):
    def voice(hit):
        response = VoiceResponse()
        response.gather(num_digits=1, action="/ivr/next")
        return response
    toy.route("/ivr/voice", voice)
    toy.route("/ivr/next", lambda hit: saying("bye"))

    call = caller(toy, from_="+447700900123", to="+442071230000").dial().press("1")

    first, second = toy.hits
    assert SID.match(first.params["CallSid"]) and first.params["CallSid"] == call.call_sid
    expected = {"AccountSid": "AC" + "0" * 32, "From": "+447700900123", "To": "+442071230000",
                "Caller": "+447700900123", "Called": "+442071230000", "CallStatus": "ringing",
                "Direction": "inbound", "ApiVersion": "2010-04-01", "FromCountry": "GB", "ToCountry": "GB"}
    assert {name: first.params[name] for name in expected} == expected
    assert second.params["CallStatus"] == "in-progress"
    assert second.params["CallSid"] == first.params["CallSid"]
    assert first.headers["Host"] == "desk.example.org"


def test_say_honours_loop_language_and_voice(toy):
    def voice():
        response = VoiceResponse()
        response.say("Victim Focus Desk.", voice="Polly.Amy", language="en-GB", loop=2)
        response.say("In danger? Dial 999.")
        response.say("Music", loop=0)
        return response
    on(toy, "/ivr/voice", voice)

    call = caller(toy).dial()

    assert call.transcript == [
        "SAY(en-GB): Victim Focus Desk.",
        "SAY(en-GB): Victim Focus Desk.",
        "SAY(en-US): In danger? Dial 999.",
        "SAY(en-US): Music [loops until the call moves on]",
        "HANGUP (end of TwiML)",
    ]
    assert call.said[0].voice == "Polly.Amy"
    assert call.heard() == "Victim Focus Desk. Victim Focus Desk. In danger? Dial 999. Music"
    assert call.last_said() == "Music"


def test_play_and_pause(toy):
    def voice():
        response = VoiceResponse()
        response.play("https://cdn.example.org/welcome.mp3", loop=2)
        response.pause(length=3)
        response.play(digits="1w2")
        return response
    on(toy, "/ivr/voice", voice)

    assert caller(toy).dial().transcript[:4] == [
        "PLAY: https://cdn.example.org/welcome.mp3",
        "PLAY: https://cdn.example.org/welcome.mp3",
        "PAUSE 3s",
        "PLAY digits 1w2",
    ]


# --- Gather --------------------------------------------------------------------------

def menu(**gather_options):
    """A menu whose Gather posts to the relative action "choice"; silence falls through."""
    def build():
        response = VoiceResponse()
        gather = response.gather(action="choice", **gather_options)
        gather.say("Press 1 for an update.", language="en-GB")
        response.say("We did not get that.")
        return response
    return build


def echo_choice(hit) -> VoiceResponse:
    heard = hit.params.get("Digits") or hit.params.get("SpeechResult")
    return saying(f"You chose {heard}.")


def test_gather_digits_post_to_the_relative_action(toy):
    on(toy, "/ivr/voice", menu(num_digits=1))
    toy.route("/ivr/choice", echo_choice)

    call = caller(toy).dial()
    assert call.waiting_for == "gather"
    assert call.last_said() == "Press 1 for an update."
    call.press("1")

    [hit] = toy.hits_to("/ivr/choice")
    assert hit.params["Digits"] == "1" and "FinishedOnKey" not in hit.params
    assert call.transcript[1] == "GATHER dtmf -> pressed 1"
    assert call.last_said() == "You chose 1."


def test_gather_finish_on_key(toy):
    on(toy, "/ivr/voice", menu(finish_on_key="#"))
    toy.route("/ivr/choice", echo_choice)

    call = caller(toy).dial().press("1234#")

    [hit] = toy.hits_to("/ivr/choice")
    assert (hit.params["Digits"], hit.params["FinishedOnKey"]) == ("1234", "#")
    assert "GATHER dtmf -> pressed 1234#" in call.transcript


def test_gather_stops_at_num_digits(toy):
    on(toy, "/ivr/voice", menu(num_digits=2))
    toy.route("/ivr/choice", echo_choice)

    call = caller(toy).dial().press("123")

    assert toy.hits_to("/ivr/choice")[0].params["Digits"] == "12"
    assert "GATHER dtmf -> pressed 12 (then 3, ignored)" in call.transcript


def test_gather_speech(toy):
    on(toy, "/ivr/voice", menu(input="dtmf speech", speech_timeout="auto"))
    toy.route("/ivr/choice", echo_choice)

    call = caller(toy).dial().say("update on my case", confidence=0.87)

    [hit] = toy.hits_to("/ivr/choice")
    assert (hit.params["SpeechResult"], hit.params["Confidence"]) == ("update on my case", "0.87")
    assert "Digits" not in hit.params
    assert 'GATHER dtmf,speech -> said "update on my case"' in call.transcript
    assert call.last_said() == "You chose update on my case."


def test_gather_ignores_input_it_does_not_listen_for(toy):
    on(toy, "/ivr/voice", menu(input="speech"))
    call = caller(toy).dial().press("1")
    assert toy.hits_to("/ivr/choice") == []
    assert call.last_said() == "We did not get that."


def test_gather_timeout_falls_through_to_the_next_verb(toy):
    on(toy, "/ivr/voice", menu(num_digits=1))

    call = caller(toy).dial().silence()

    assert toy.hits_to("/ivr/choice") == []
    assert call.transcript[-3:] == ["GATHER dtmf -> no input (timeout)", "SAY(en-US): We did not get that.",
                                    "HANGUP (end of TwiML)"]
    assert call.ended and call.status == "completed"


def test_gather_action_on_empty_result(toy):
    on(toy, "/ivr/voice", menu(num_digits=1, action_on_empty_result=True))
    toy.route("/ivr/choice", echo_choice)

    call = caller(toy).dial().silence()

    assert toy.hits_to("/ivr/choice")[0].params["Digits"] == ""
    assert "We did not get that." not in call.heard()


def test_gather_without_action_posts_to_the_current_document(toy):
    def voice(hit):
        if "Digits" in hit.params:
            return saying(f"Got {hit.params['Digits']}")
        response = VoiceResponse()
        response.gather(num_digits=1)
        return response
    toy.route("/ivr/voice", voice)

    call = caller(toy, voice_url="/ivr/voice?step=1").dial().press("5")

    assert [(hit.method, hit.query) for hit in toy.hits] == [("POST", "step=1"), ("POST", "step=1")]
    assert call.last_said() == "Got 5"


def test_finish_lets_every_gather_time_out(toy):
    on(toy, "/ivr/voice", menu(num_digits=1))
    call = caller(toy).dial().finish()
    assert call.ended and call.last_said() == "We did not get that."


# --- Redirect ------------------------------------------------------------------------

def test_redirect_get_with_relative_urls_is_signed_with_its_query(toy):
    def voice():
        response = VoiceResponse()
        response.redirect("next?from=voice", method="GET")
        return response

    def next_(hit):
        response = VoiceResponse()
        response.redirect("../end")  # relative to /ivr/next?from=voice
        return response
    on(toy, "/ivr/voice", voice)
    toy.route("/ivr/next", next_)
    toy.route("/end", lambda hit: saying("The end."))

    call = caller(toy).dial()

    voice_hit, next_hit, end_hit = toy.hits
    assert (next_hit.method, next_hit.path) == ("GET", "/ivr/next")
    assert next_hit.query.startswith("from=voice&") and next_hit.params["CallSid"] == call.call_sid
    assert (end_hit.method, end_hit.path, end_hit.query) == ("POST", "/end", "")
    assert call.transcript[0] == "REDIRECT GET https://desk.example.org/ivr/next?from=voice"
    assert call.last_said() == "The end."


# --- queues --------------------------------------------------------------------------

def queue_app(toy, clock: Clock, *, wait_url: str | None = "wait", action: str | None = "after"):
    def voice():
        response = VoiceResponse()
        response.enqueue("support", wait_url=wait_url, action=action)
        response.say("After the queue.")
        return response

    def wait(hit):
        clock.advance(30)  # each turn of the wait music lasts 30 seconds
        return saying(f"You are number {hit.params['QueuePosition']} of {hit.params['CurrentQueueSize']}.")
    on(toy, "/ivr/voice", voice)
    toy.route("/ivr/wait", wait)
    toy.route("/ivr/after", lambda hit: saying(f"Queue result {hit.params['QueueResult']}."))
    toy.route("/ivr/status", lambda hit: ("", 204))


def test_enqueue_wait_url_loop_then_an_agent_answers(toy):
    clock = Clock()
    queue_app(toy, clock)

    call = caller(toy, clock=clock).dial()
    assert call.waiting_for == "queue" and toy.hits_to("/ivr/wait") == []
    call.wait_in_queue(polls=3, position=2, size=3, avg_wait=120)
    call.answered_by_agent()

    waits = toy.hits_to("/ivr/wait")
    assert [hit.params["QueueTime"] for hit in waits] == ["0", "30", "60"]
    assert {(hit.params["QueuePosition"], hit.params["CurrentQueueSize"], hit.params["AvgQueueTime"])
            for hit in waits} == {("2", "3", "120")}
    [after] = toy.hits_to("/ivr/after")
    assert after.params["QueueResult"] == "bridged"
    assert after.params["QueueTime"] == "90"
    assert SID.match(after.params["QueueSid"])
    assert {hit.params["QueueSid"] for hit in waits} == {after.params["QueueSid"]}
    assert call.transcript[:3] == ["ENQUEUE support", "QUEUE position 2 of 3",
                                   "SAY(en-US): You are number 2 of 3."]
    assert call.transcript.count("QUEUE position 2 of 3") == 3
    assert call.last_said() == "Queue result bridged."


def test_leaving_the_queue_from_a_gather_in_the_wait_music(toy):
    clock = Clock()
    queue_app(toy, clock)

    def wait(hit):
        response = VoiceResponse()
        gather = response.gather(num_digits=1, action="wait-choice")
        gather.say("Press 1 to leave a message instead.")
        return response

    def wait_choice(hit):
        response = VoiceResponse()
        response.leave()
        return response

    def after(hit):
        response = VoiceResponse()
        response.say(f"Queue result {hit.params['QueueResult']}. Leave your message after the tone.")
        response.record(action="/ivr/message", max_length=60)
        return response
    toy.route("/ivr/wait", wait)
    toy.route("/ivr/wait-choice", wait_choice)
    toy.route("/ivr/after", after)
    toy.route("/ivr/message", lambda hit: saying("Thank you."))

    call = caller(toy, clock=clock).dial().wait_in_queue(polls=2)
    assert call.waiting_for == "gather"  # in the second turn of the wait music
    call.press("1")
    call.record(seconds=5)

    assert len(toy.hits_to("/ivr/wait")) == 2
    [choice] = toy.hits_to("/ivr/wait-choice")
    assert choice.params["Digits"] == "1" and "QueueSid" in choice.params
    assert toy.hits_to("/ivr/after")[0].params["QueueResult"] == "leave"
    assert "LEAVE" in call.transcript
    assert call.heard().count("Press 1 to leave a message instead.") == 2
    assert call.last_said() == "Thank you."


def test_caller_hanging_up_in_the_queue(toy):
    clock = Clock()
    queue_app(toy, clock)

    call = caller(toy, clock=clock, status_url="/ivr/status").dial().wait_in_queue().hang_up()

    [after] = toy.hits_to("/ivr/after")
    assert (after.params["QueueResult"], after.params["CallStatus"], after.params["QueueTime"]) == \
        ("hangup", "completed", "30")
    assert call.ended and call.transcript[-1] == "CALLER HUNG UP"
    assert "Queue result" not in call.heard()  # the reply to a hung-up call is never played
    [status] = toy.hits_to("/ivr/status")
    assert status.params["CallStatus"] == "completed"


def test_leave_without_an_enqueue_action_continues_with_the_next_verb(toy):
    queue_app(toy, Clock(), action=None)

    def wait(hit):
        response = VoiceResponse()
        response.leave()
        return response
    toy.route("/ivr/wait", wait)

    call = caller(toy).dial().wait_in_queue(polls=5)

    assert len(toy.hits_to("/ivr/wait")) == 1  # the caller left on the first turn
    assert call.last_said() == "After the queue."


def test_enqueue_without_wait_url_plays_default_music(toy):
    queue_app(toy, Clock(), wait_url=None)
    call = caller(toy).dial().wait_in_queue(polls=2).answered_by_agent()
    assert call.transcript.count("PLAY: (Twilio's default hold music)") == 2
    assert toy.hits_to("/ivr/wait") == []


def test_agent_answering_while_the_wait_music_asks_for_keys(toy):
    queue_app(toy, Clock())

    def wait(hit):
        response = VoiceResponse()
        response.gather(num_digits=1, action="wait-choice").say("Press 1 for a callback.")
        return response
    toy.route("/ivr/wait", wait)

    call = caller(toy).dial().wait_in_queue().answered_by_agent()

    assert toy.hits_to("/ivr/wait-choice") == []
    assert call.last_said() == "Queue result bridged."


# --- Dial ----------------------------------------------------------------------------

@pytest.mark.parametrize("status, duration", [
    ("completed", "42"), ("no-answer", "0"), ("busy", "0"), ("failed", "0")])
def test_dial_number_reports_the_outcome_the_test_chose(toy, status, duration):
    def voice():
        response = VoiceResponse()
        dial = response.dial(action="/ivr/dialled", timeout=20)
        dial.number("+447700900999")
        return response
    on(toy, "/ivr/voice", voice)
    toy.route("/ivr/dialled", lambda hit: saying(f"Dial {hit.params['DialCallStatus']}."))

    call = caller(toy).dial()
    assert call.waiting_for == "dial"
    call.dial_outcome(status, duration=42)

    [hit] = toy.hits_to("/ivr/dialled")
    assert (hit.params["DialCallStatus"], hit.params["DialCallDuration"]) == (status, duration)
    assert SID.match(hit.params["DialCallSid"]) and hit.params["DialCallSid"] != call.call_sid
    assert call.transcript[0] == f"DIAL number +447700900999 -> {status}"
    assert call.last_said() == f"Dial {status}."


def test_dial_queue_is_how_an_agent_takes_a_caller(toy):
    def voice():
        response = VoiceResponse()
        response.dial().queue("support", url="/ivr/about-to-connect")
        response.say("The caller has gone.")
        return response
    on(toy, "/ivr/voice", voice)

    call = caller(toy, from_="client:agent-7").dial().dial_outcome("completed", duration=300)

    assert call.transcript[0] == "DIAL queue support -> completed"
    assert call.last_said() == "The caller has gone."  # no action: on to the next verb
    assert toy.hits[0].params["From"] == "client:agent-7" and toy.hits[0].params["FromCountry"] == ""


# --- Record, Hangup, Reject, Sms -----------------------------------------------------

def recorder(**record_options):
    def build():
        response = VoiceResponse()
        response.say("Leave a message after the tone.")
        response.record(**record_options)
        response.say("We did not hear a message.")
        return response
    return build


def test_record_posts_the_recording(toy):
    on(toy, "/ivr/voice", recorder(action="/ivr/message", max_length=60, transcribe=True))
    toy.route("/ivr/message", lambda hit: saying(f"Got {hit.params['RecordingDuration']} seconds."))

    call = caller(toy).dial()
    assert call.waiting_for == "record"
    call.record(seconds=12)

    [hit] = toy.hits_to("/ivr/message")
    assert (hit.params["RecordingDuration"], hit.params["Digits"]) == ("12", "#")
    assert SID.match(hit.params["RecordingSid"])
    assert hit.params["RecordingUrl"] == ("https://api.twilio.com/2010-04-01/Accounts/"
                                          f"{'AC' + '0' * 32}/Recordings/{hit.params['RecordingSid']}")
    assert "RECORD -> 12s, ended by #" in call.transcript
    assert call.last_said() == "Got 12 seconds."


def test_record_is_cut_at_max_length_and_without_action_posts_to_the_document(toy):
    def voice(hit):
        if "RecordingSid" in hit.params:
            return saying(f"Got {hit.params['RecordingDuration']} seconds.")
        return recorder(max_length=20)()
    toy.route("/ivr/voice", voice)

    call = caller(toy).dial().record(seconds=90, finish_key=None)

    assert call.last_said() == "Got 20 seconds."
    assert "Digits" not in toy.hits[-1].params  # ended by the time limit, not a key


def test_record_with_no_audio_moves_on(toy):
    on(toy, "/ivr/voice", recorder(action="/ivr/message"))
    call = caller(toy).dial().silence()
    assert toy.hits_to("/ivr/message") == []
    assert call.last_said() == "We did not hear a message."


def test_record_then_hang_up(toy):
    on(toy, "/ivr/voice", recorder(action="/ivr/message"))
    toy.route("/ivr/message", lambda hit: saying("unheard"))

    call = caller(toy).dial().record(seconds=8, then_hang_up=True)

    [hit] = toy.hits_to("/ivr/message")
    assert (hit.params["Digits"], hit.params["CallStatus"]) == ("hangup", "completed")
    assert call.ended and "unheard" not in call.heard()


def test_hangup_ends_the_call(toy):
    def voice():
        response = VoiceResponse()
        response.say("Goodbye.")
        response.hangup()
        response.say("Never heard.")
        return response
    on(toy, "/ivr/voice", voice)

    call = caller(toy).dial()

    assert call.transcript == ["SAY(en-US): Goodbye.", "HANGUP"]
    assert call.ended and call.status == "completed"
    with pytest.raises(AssertionError, match="already ended"):
        call.press("1")


def test_reject_busy(toy):
    def voice():
        response = VoiceResponse()
        response.reject(reason="busy")
        return response
    on(toy, "/ivr/voice", voice)
    toy.route("/ivr/status", lambda hit: ("", 204))

    call = caller(toy, status_url="/ivr/status").dial()

    assert call.transcript == ["REJECT busy"] and call.status == "busy"
    assert toy.hits_to("/ivr/status")[0].params["CallStatus"] == "busy"


def test_end_of_twiml_hangs_up_and_posts_the_status_callback(toy):
    on(toy, "/ivr/voice", lambda: saying("Hello."))
    toy.route("/ivr/status", lambda hit: ("", 204))

    call = caller(toy, status_url="/ivr/status").dial()

    [status] = toy.hits_to("/ivr/status")
    assert (status.params["CallStatus"], status.params["CallSid"]) == ("completed", call.call_sid)
    assert call.transcript[-1] == "HANGUP (end of TwiML)"
    assert call.ended and call.status == "completed"


def test_call_duration_counts_from_the_answer(toy):
    clock = Clock()
    on(toy, "/ivr/voice", menu(num_digits=1))
    toy.route("/ivr/status", lambda hit: ("", 204))

    call = caller(toy, clock=clock, status_url="/ivr/status").dial()
    clock.advance(40)
    call.silence()

    assert toy.hits_to("/ivr/status")[0].params["CallDuration"] == "40"


def test_sms_verb(toy):
    def voice():
        response = VoiceResponse()
        response.sms("Your reference is VF123.", action="/ivr/texted")
        return response
    on(toy, "/ivr/voice", voice)
    toy.route("/ivr/texted", lambda hit: saying(f"Text {hit.params['SmsStatus']}."))

    call = caller(toy).dial()

    assert call.transcript[0] == "SMS to +447700900123: Your reference is VF123."
    assert call.last_said() == "Text sent."


# --- errors the emulator must not let through ----------------------------------------

def test_bad_signature_is_rejected_and_the_call_raises(toy):
    on(toy, "/ivr/voice", lambda: saying("ok"))
    call = Caller(toy.test_client(), base_url=BASE, auth_token="wrong-token")
    with pytest.raises(AssertionError, match=r"POST https://desk.example.org/ivr/voice answered 403"):
        call.dial()
    assert toy.rejected == 1
    assert call.status == "emulator-error"


@pytest.mark.parametrize("reply, message", [
    (("boom", 500), "answered 500"),
    (({"ok": True}, 200), "not TwiML"),
    (("<Reply/>", 200, {"Content-Type": "text/xml"}), "root element"),
    (("<Response>", 200, {"Content-Type": "text/xml"}), "malformed XML"),
])
def test_a_reply_that_is_not_twiml_raises(toy, reply, message):
    on(toy, "/ivr/voice", menu(num_digits=1))
    toy.route("/ivr/choice", lambda hit: reply)
    call = caller(toy).dial()
    with pytest.raises(AssertionError, match=message):
        call.press("1")


def test_missing_route_raises(toy):
    with pytest.raises(AssertionError, match="answered 404"):
        caller(toy).dial()


def test_a_twiml_loop_hits_the_request_cap(toy):
    def voice():
        response = VoiceResponse()
        response.say("Again.")
        response.redirect("/ivr/voice")
        return response
    on(toy, "/ivr/voice", voice)

    call = caller(toy)
    with pytest.raises(CallLoopError, match="200 requests"):
        call.dial()
    assert len(toy.hits) == 200


def test_an_action_that_does_not_fit_fails_the_test(toy):
    queue_app(toy, Clock())
    call = caller(toy)
    with pytest.raises(AssertionError, match="dial\\(\\) first"):
        call.press("1")
    call.dial()
    with pytest.raises(AssertionError, match="waiting at queue 'support'"):
        call.press("1")
    with pytest.raises(AssertionError, match="finish\\(\\): the call is waiting at queue"):
        call.finish()


def test_unsupported_verbs_are_refused(toy):
    def voice():
        response = VoiceResponse()
        response.connect().stream(url="wss://example.org/stream")
        return response
    on(toy, "/ivr/voice", voice)
    with pytest.raises(AssertionError, match="does not support <Connect>"):
        caller(toy).dial()


def test_sha256_signed_call():
    toy = ToyApp(auth_token=TOKEN, public_base_url=BASE, shared_key=SHARED_KEY)
    on(toy, "/ivr/voice", lambda: saying("Signed with the shared key."))
    call = caller(toy, signature_algorithm="HMAC_SHA256", shared_key=SHARED_KEY).dial()
    assert call.heard() == "Signed with the shared key."


def test_public_base_url_with_a_path_prefix():
    base = "https://police.example.org/desk"
    toy = ToyApp(auth_token=TOKEN, public_base_url=base)
    on(toy, "/ivr/voice", menu(num_digits=1))
    toy.route("/ivr/choice", echo_choice)

    call = Caller(toy.test_client(), base_url=base, auth_token=TOKEN).dial().press("3")

    assert [hit.path for hit in toy.hits] == ["/ivr/voice", "/ivr/choice"]
    assert call.requests[-1].url == "https://police.example.org/desk/ivr/choice"
    assert call.last_said() == "You chose 3."


# --- texter --------------------------------------------------------------------------

def texter(toy, **options) -> Texter:
    return Texter(toy.test_client(), base_url=BASE, auth_token=TOKEN, **options)


def test_texter_sends_the_documented_params_and_reads_the_reply(toy):
    def inbound(hit):
        response = MessagingResponse()
        response.message(f"Got: {hit.params['Body']}")
        return response
    toy.route("/sms/inbound", inbound)

    assert texter(toy, from_="+447700900456").send("Hello desk") == ["Got: Hello desk"]

    [hit] = toy.hits
    sid = hit.params["MessageSid"]
    assert SID.match(sid) and hit.params["SmsSid"] == hit.params["SmsMessageSid"] == sid
    expected = {"From": "+447700900456", "To": "+442071230000", "Body": "Hello desk", "NumMedia": "0",
                "NumSegments": "1", "FromCountry": "GB", "ToCountry": "GB", "ApiVersion": "2010-04-01",
                "AccountSid": "AC" + "0" * 32}
    assert {name: hit.params[name] for name in expected} == expected
    assert "MessagingServiceSid" not in hit.params


def test_texter_empty_reply_and_messaging_service(toy):
    toy.route("/sms/inbound", lambda hit: MessagingResponse())
    assert texter(toy, messaging_service_sid="MG" + "1" * 32).send("STOP") == []
    assert toy.hits[0].params["MessagingServiceSid"] == "MG" + "1" * 32


def test_texter_reads_several_messages_and_body_elements(toy):
    def inbound(hit):
        response = MessagingResponse()
        response.message("First.")
        response.message().body("Second.")
        return response
    toy.route("/sms/inbound", inbound)
    assert texter(toy).send("hi") == ["First.", "Second."]


def test_texter_resend_reuses_the_message_sid(toy):
    toy.route("/sms/inbound", lambda hit: MessagingResponse())
    phone = texter(toy)
    phone.send("update please")
    phone.resend()
    phone.send("another")
    sids = [hit.params["MessageSid"] for hit in toy.hits]
    assert sids[0] == sids[1] != sids[2]
    assert [hit.params["Body"] for hit in toy.hits] == ["update please", "update please", "another"]


def test_texter_counts_segments_and_media(toy):
    toy.route("/sms/inbound", lambda hit: MessagingResponse())
    phone = texter(toy)
    phone.send("a" * 161)
    phone.send("🙂" * 71)
    phone.send("photo", media=("https://media.example.org/1.jpg",))
    assert [hit.params["NumSegments"] for hit in toy.hits] == ["2", "2", "1"]
    photo = toy.hits[2].params
    assert (photo["NumMedia"], photo["MediaUrl0"]) == ("1", "https://media.example.org/1.jpg")


def test_texter_raises_on_an_error_reply(toy):
    toy.route("/sms/inbound", lambda hit: ("nope", 500))
    with pytest.raises(AssertionError, match="answered 500"):
        texter(toy).send("hi")


# --- interactive mode ----------------------------------------------------------------

def interactive_app(toy):
    on(toy, "/ivr/voice", menu(num_digits=1))

    def choice(hit):
        response = VoiceResponse()
        response.say(f"You chose {hit.params['Digits']}.")
        response.gather(input="speech", action="reason").say("Tell us why you are calling.")
        return response

    def reason(hit):
        response = VoiceResponse()
        response.say(f"You said {hit.params['SpeechResult']}.")
        response.enqueue("support", wait_url="wait", action="after")
        return response
    toy.route("/ivr/choice", choice)
    toy.route("/ivr/reason", reason)
    toy.route("/ivr/wait", lambda hit: saying("Please hold."))
    toy.route("/ivr/after", lambda hit: saying("Goodbye."))


def test_interactive_mode(toy):
    interactive_app(toy)
    typed = iter(["x", "1", "s:update on my case", "", "a"])
    prompts, printed = [], []

    def fake_input(prompt):
        prompts.append(prompt)
        return next(typed)

    call = run_interactive(toy.test_client(), base_url=BASE, auth_token=TOKEN,
                           input_fn=fake_input, print_fn=printed.append)

    assert call.ended
    assert [p.split("]")[0] for p in prompts] == ["[gather", "[gather", "[gather", "[queue", "[queue"]
    assert printed[0] == "SAY(en-GB): Press 1 for an update."
    assert printed[1].startswith("?? press()")  # "x" is not a key: asked again
    assert "GATHER dtmf -> pressed 1" in printed
    assert 'GATHER speech -> said "update on my case"' in printed
    assert "SAY(en-US): Please hold." in printed
    assert printed[-3:] == ["SAY(en-US): Goodbye.", "HANGUP (end of TwiML)", "-- call ended (completed)"]


def test_interactive_end_of_input_hangs_up(toy):
    interactive_app(toy)

    def no_more_input(prompt):
        raise EOFError

    printed = []
    call = run_interactive(toy.test_client(), base_url=BASE, auth_token=TOKEN,
                           input_fn=no_more_input, print_fn=printed.append)

    assert call.ended and printed[-2:] == ["GATHER dtmf -> caller hung up", "-- call ended (completed)"]
