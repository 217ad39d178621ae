"""A victim who answers a callback hears a person at once: no synchronous answering-
machine detection on their leg.  With voicemail consent the victim's call is placed
over REST with Twilio's asynchronous AMD, whose verdict can only ever switch a machine
to the neutral voicemail; a person is never left in silence or hung up on."""
from __future__ import annotations

import re

from emulator.signing import check_accepted, post_signed
from models.callbacks import CallbackAttempt
from tests.agents.test_callbacks import ASHA, VICTIM_A, attempts, book, victim_leg  # noqa: F401
from tests.support.replies import last_twiml
from tests.support.service import DESK_NUMBER

VOICEMAIL = ("Hello. This is the return call you asked for. Sorry we missed you. We will try again, "
             "or you can call us back on 0 2 0, 7 9 4 6, 0 0 0 0. Goodbye.")


def accept(pick_up, ring):
    agent = pick_up(ring)
    agent.press("1")
    return agent


def test_without_consent_the_victims_leg_has_no_machine_detection_and_is_never_hung_up_on(
        add_agent, book, sweep, pick_up, twilio_fetch, rows, fake_twilio):  # noqa: F811
    add_agent("agent-a", ASHA, idle=30)
    cb = book(VICTIM_A, voicemail_allowed=False)
    agent = accept(pick_up, sweep()[0])
    number = last_twiml(agent).find("Dial/Number")
    assert number.text == VICTIM_A
    assert number.get("machineDetection") is None and number.get("amd") is None   # nothing to wait for
    # even a (stray) machine verdict changes nothing: put through, never a hang-up
    assert victim_leg(twilio_fetch, agent, "machine_start") == ("", [])
    assert victim_leg(twilio_fetch, agent, "human") == ("", [])
    assert fake_twilio.calls_to(VICTIM_A) == []                                   # dialled by <Number>
    agent.dial_outcome("completed", duration=60)
    assert attempts(rows) == [(cb, 1, "connected")]


def test_with_consent_async_amd_bridges_at_once_and_a_machine_after_the_beep_gets_the_voicemail(
        add_agent, book, sweep, pick_up, twilio_fetch, rows, fake_twilio, client):  # noqa: F811
    from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

    add_agent("agent-a", ASHA, idle=30)
    cb = book(VICTIM_A, voicemail_allowed=True)
    agent = accept(pick_up, sweep()[0])
    assert "If a machine answers, a short message without details will be left." in agent.heard()
    twiml = last_twiml(agent)
    assert twiml.find("Dial/Number") is None                  # no <Number machineDetection> blocking
    assert twiml.find("Enqueue") is not None                   # the agent waits for the victim
    [victim] = fake_twilio.calls_to(VICTIM_A)
    params = {k: v[0] for k, v in victim.params.items()}
    assert params["AsyncAmd"] == "true" and params["MachineDetection"] == "DetectMessageEnd"
    assert re.search(r"/ivr/agent/callback/amd\?offer=\d+$", params["AsyncAmdStatusCallback"])  # ids are not reset between tests on PostgreSQL
    assert fake_twilio.contract_violations == []

    # the victim answers: straight to the agent, not a word of delay
    said, verbs = twilio_fetch(params["Url"], {"CallSid": victim.sid, "To": VICTIM_A, "From": DESK_NUMBER,
                                               "CallStatus": "in-progress"})
    assert (said, verbs) == ("", ["Dial"])

    # later the AMD verdict: a machine, after its beep -> the live call gets the voicemail
    response = post_signed(client, PUBLIC_BASE_URL, params["AsyncAmdStatusCallback"],
                           {"CallSid": victim.sid, "AnsweredBy": "machine_end_beep", "MachineDetectionDuration": "4200",
                            "AccountSid": victim["account_sid"]}, AUTH_TOKEN)
    check_accepted(response, params["AsyncAmdStatusCallback"])
    [update] = fake_twilio.call(victim.sid).updates
    twiml_sent = update["Twiml"][0]
    assert VOICEMAIL.split(".")[0] in twiml_sent and "<Hangup" in twiml_sent
    assert [a.outcome for a in rows(CallbackAttempt)] == ["voicemail_left"]
    assert attempts(rows) == [(cb, 1, "voicemail_left")]


def test_with_consent_a_person_verdict_changes_nothing(
        add_agent, book, sweep, pick_up, rows, fake_twilio, client):  # noqa: F811
    from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

    add_agent("agent-a", ASHA, idle=30)
    book(VICTIM_A, voicemail_allowed=True)
    accept(pick_up, sweep()[0])
    [victim] = fake_twilio.calls_to(VICTIM_A)
    url = victim.params["AsyncAmdStatusCallback"][0]
    for answered_by in ("human", "unknown", "machine_start"):
        response = post_signed(client, PUBLIC_BASE_URL, url, {"CallSid": victim.sid, "AnsweredBy": answered_by},
                               AUTH_TOKEN)
        check_accepted(response, url)
    assert fake_twilio.call(victim.sid).updates == []          # no hang-up, no message on a person
    assert [a.outcome for a in rows(CallbackAttempt)] == [None]


def test_with_consent_a_victim_call_twilio_refuses_tells_the_agent_and_is_retried(
        add_agent, book, sweep, pick_up, rows, fake_twilio):  # noqa: F811
    add_agent("agent-a", ASHA, idle=30)
    cb = book(VICTIM_A, voicemail_allowed=True)
    ring = sweep()[0]
    fake_twilio.fail_next(1, status=503, on="Calls", to=VICTIM_A)
    agent = accept(pick_up, ring)
    assert agent.said[-1].text == "The call could not be connected." and agent.transcript[-1] == "HANGUP"
    assert fake_twilio.calls_to(VICTIM_A) == []
    assert attempts(rows) == [(cb, 1, "failed")]


def test_the_agent_stops_waiting_when_the_victim_does_not_answer(
        add_agent, book, sweep, pick_up, rows, fake_twilio, client):  # noqa: F811
    from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

    add_agent("agent-a", ASHA, idle=30)
    cb = book(VICTIM_A, voicemail_allowed=True)
    agent = accept(pick_up, sweep()[0])
    [victim] = fake_twilio.calls_to(VICTIM_A)
    url = victim.params["StatusCallback"][0]
    check_accepted(post_signed(client, PUBLIC_BASE_URL, url, fake_twilio.call_status_params(victim.sid, "no-answer"),
                               AUTH_TOKEN), url)
    agent.wait_in_queue(1)                                     # the next turn of hold: leave
    assert agent.said[-1].text.startswith("There was no answer.") and agent.transcript[-1] == "HANGUP"
    assert attempts(rows) == [(cb, 1, "no_answer")]


def test_the_last_attempts_voicemail_does_not_promise_another_call(
        app, add_agent, book, sweep, pick_up, rows, fake_twilio, client):  # noqa: F811
    """With no attempt left, "we will try again" would be a promise nobody keeps: the
    message asks the victim to call back instead, the number read in its groups."""
    from desk import settings
    from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL

    settings.override(app.config, CALLBACK_MAX_ATTEMPTS=1)
    add_agent("agent-a", ASHA, idle=30)
    book(VICTIM_A, voicemail_allowed=True)
    accept(pick_up, sweep()[0])
    [victim] = fake_twilio.calls_to(VICTIM_A)
    url = victim.params["AsyncAmdStatusCallback"][0]
    check_accepted(post_signed(client, PUBLIC_BASE_URL, url, {"CallSid": victim.sid, "AnsweredBy": "machine_end_beep"},
                               AUTH_TOKEN), url)
    twiml = fake_twilio.call(victim.sid).updates[0]["Twiml"][0]
    said = " ".join(re.sub(r"<[^>]+>", "", twiml).split())
    assert "try again" not in said
    assert "Please call us back on 0 2 0, 7 9 4 6, 0 0 0 0." in said
    assert '<say-as interpret-as="digits">0 2 0</say-as>' in twiml
