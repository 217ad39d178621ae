"""Whoever holds the phone must not learn from a reply whether the number has a case.

UPDATE and CALL get one neutral reply, word for word, whenever there is nothing to
give; a number whose case says texting is unsafe gets no reply at all (its message is
still recorded); and a database that cannot be read still gets a neutral answer."""
from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select

from emulator.signing import new_sid, post_signed
from flows.sms_texts import render, segments
from models.db import session
from models.outbox import SmsRecipient
from models.surveys import InboundMessage
from tests.resilience.fleet import free_port
from tests.support.numbers import OTHER, OTHER_PHONE, VICTIM
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL

DESK = "020 7946 0000"
RECEIVED = "Message received. In an emergency call 999."
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def raw_reply(client, phone: str, body: str) -> bytes:
    params = {"MessageSid": new_sid("SM"), "AccountSid": ACCOUNT_SID, "From": phone, "To": DESK_NUMBER,
              "Body": body}
    response = post_signed(client, PUBLIC_BASE_URL, "/sms/inbound", params, AUTH_TOKEN)
    assert response.status_code == 200, response.status_code
    return response.get_data()


@pytest.fixture
def three_numbers(case):
    """An unregistered number, one registered with nothing to give yet, and a sender
    that is no phone number at all (a short code)."""
    case(phone=VICTIM, safe_call_times=[])  # texting is safe; no update yet, no safe call times
    return [OTHER, VICTIM, "60123"]


@pytest.mark.parametrize("keyword", ["UPDATE", "CALL"])
def test_nothing_to_give_is_one_reply_whatever_the_number(client, clock, three_numbers, keyword):
    replies = {raw_reply(client, phone, keyword) for phone in three_numbers}
    assert len(replies) == 1, replies
    [reply] = replies
    expected = render("update_unavailable" if keyword == "UPDATE" else "callback_unavailable", desk_number=DESK)
    assert ET.fromstring(reply).findtext("Message") == expected


def test_the_neutral_texts_name_no_case_and_fit_one_segment():
    for text_id in ("update_unavailable", "callback_unavailable", "received"):
        text = render(text_id, desk_number="+44 20 7946 0000")
        assert segments(text) == 1, (text_id, len(text))
        assert "case" not in text.lower() and "registered" not in text.lower(), text
    assert render("received") == RECEIVED


@pytest.mark.parametrize("body", ["UPDATE", "CALL", "HELP", "INFO", "4", "please ring me after six", "START"])
def test_a_number_whose_case_says_texting_is_unsafe_gets_no_reply(app, client, clock, case, body):
    case(phone=OTHER, reference="5209999/26", sms_allowed=False, safe_call_times=["09:00-12:00"],
         update_detail="full")
    assert raw_reply(client, OTHER, body) == EMPTY.encode()
    with app.app_context():
        [stored] = session().exec(select(InboundMessage)).all()
    assert stored.reply is None


def test_one_unsafe_case_silences_the_number_even_beside_a_safe_one(client, clock, case):
    case(phone=VICTIM, reference="5201111/26", safe_call_times=["09:00-12:00"])
    case(phone=VICTIM, reference="5202222/26", sms_allowed=False)
    for body in ("UPDATE", "CALL", "HELP"):
        assert raw_reply(client, VICTIM, body) == EMPTY.encode(), body


def test_an_unsafe_number_can_still_opt_out_and_hears_nothing_from_us(app, client, clock, case):
    case(phone=OTHER_PHONE, reference="5203333/26", sms_allowed=False)
    assert raw_reply(client, OTHER_PHONE, "STOP") == EMPTY.encode()
    with app.app_context():
        [recipient] = session().exec(select(SmsRecipient)).all()
    assert recipient.opted_out


def test_a_database_that_cannot_be_read_still_gets_a_neutral_reply(instance_path, tmp_path, caplog):
    from wsgi import create_app

    closed = free_port()
    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance_path), "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_PHONE_NUMBER": DESK_NUMBER,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"postgresql+psycopg://desk@127.0.0.1:{closed}/desk?connect_timeout=2"})
    caplog.set_level(logging.INFO)
    for body in ("UPDATE", "HELP", "5"):
        reply = raw_reply(app.test_client(), VICTIM, body)
        assert ET.fromstring(reply).findtext("Message") == RECEIVED
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert VICTIM not in logged and VICTIM.lstrip("+") not in logged
