"""Survey invitations by email: through the outbox, to a real SMTP server (aiosmtpd on
loopback, started here), with the outbox's guarantees."""
from __future__ import annotations

import email
import email.policy
import re
import socket
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from desk import settings
from desk.clock import LONDON
from models.db import session
from models.outbox import EmailRecipient, OutboundMessage, record_opt_out
from tests.sms.test_web_in_polish import assert_polish, visible
from tests.support.numbers import VICTIM

ADDRESS = "victim.person@example.org"
SEND_AT = datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)  # MONDAY_10AM + SURVEY_DELAY_MINUTES


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts; it can refuse the first few RCPTs."""

    def __init__(self):
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusals: list[str] = []  # replies to give to the next RCPTs, in turn

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusals:
            return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(app, fake_twilio):
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    # a loopback test server has no certificate; production refuses SMTP_STARTTLS=false
    settings.override(app.config, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False,
                      SMS_RETRY_BASE_SECONDS=60)
    try:
        yield box
    finally:
        controller.stop()


def email_rows(app) -> list[OutboundMessage]:
    with app.app_context():
        return session().exec(select(OutboundMessage).where(OutboundMessage.channel == "email")
                              .order_by(OutboundMessage.id)).all()


def test_an_email_preference_sends_one_neutral_email_with_the_survey_link(app, clock, engage, deliver, mailbox, outbox):
    created = engage(victim_email="Victim.Person@Example.org", channel_preference="email")
    assert (created["invitation"], created["channel"]) == ("scheduled", "email")
    assert [row for row in outbox() if row[0] == "survey_invite"] == [], "no text as well"
    deliver()
    assert mailbox.received == [], "not before its time (SURVEY_DELAY_MINUTES)"
    clock.advance(hours=1)
    deliver()
    deliver()  # a second run sends nothing more
    assert len(mailbox.received) == 1
    mail = mailbox.received[0]
    assert mailbox.envelopes[0][1] == [ADDRESS]
    sender_and_subject = (mail["From"] + " " + mail["Subject"]).lower()
    assert not any(word in sender_and_subject for word in ("police", "crime", "victim")), sender_and_subject
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = created["survey_link"]
    assert link in plain and f'href="{link}"' in html
    assert "How did we do when an officer visited or contacted you?" in plain
    for detail in ("5201234", "Lambeth", "MP1234", "23 Nov", "07911"):  # nothing about the case
        assert detail not in plain and detail not in html
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://desk.example.org/email/unsubscribe/") and unsubscribe in plain
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = email_rows(app)
    assert row.status == "sent" and row.sent_at is not None


def email_opted_out(app):
    with app.app_context():
        row = session().exec(select(EmailRecipient).where(EmailRecipient.email == ADDRESS)).first()
        return (row.opted_out, row.source) if row else None


def test_opening_the_unsubscribe_link_asks_first_and_its_button_stops_the_email(app, client, clock, engage,
                                                                                 deliver, mailbox):
    from services.survey_links import unsubscribe_url

    engage(victim_email=ADDRESS, channel_preference="email")
    with app.app_context():
        path = unsubscribe_url(ADDRESS).removeprefix("https://desk.example.org")
    # a mail scanner or link preview opens every link in a message: a GET changes nothing
    for _ in range(2):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Stop these emails" in html
        assert f'<form method="post" action="{path}"' in html
    assert email_opted_out(app) is None
    # the person presses the button
    done = client.post(path)
    assert done.status_code == 200 and "no more emails" in done.get_data(as_text=True)
    assert email_opted_out(app) == (True, "unsubscribe-link")
    clock.advance(hours=1)
    deliver()
    assert mailbox.received == [], "an address that unsubscribed gets nothing, even what was already queued"
    assert email_rows(app)[0].status == "suppressed"
    assert client.get("/email/unsubscribe/forged").status_code == 404
    assert client.post("/email/unsubscribe/forged").status_code == 404
    later = engage(victim_email=ADDRESS, channel_preference="email", occurred_at="2026-11-23T09:45:00+00:00",
                   officer_id="MP77")
    assert later["invitation"] in ("suppressed", "skipped")


def test_a_polish_emails_unsubscribe_link_opens_polish_pages(app, client, clock, engage, deliver, mailbox):
    engage(victim_email=ADDRESS, channel_preference="email", language="pl")
    clock.advance(hours=1)
    deliver()
    [mail] = mailbox.received
    plain = mail.get_body(("plain",)).get_content()
    link = re.search(r"(https://desk.example.org/email/unsubscribe/\S+)", plain).group(1)
    assert link.endswith("?lang=pl") and mail["List-Unsubscribe"].strip("<>") + "?lang=pl" == link
    path = link.removeprefix("https://desk.example.org")
    page = client.get(path)
    assert page.status_code == 200 and f'<form method="post" action="{path}"' in page.get_data(as_text=True)
    assert_polish(page)
    assert "Czy chcą Państwo przestać otrzymywać od nas e-maile?" in visible(page)
    assert email_opted_out(app) is None
    done = client.post(path)
    assert_polish(done)
    assert "Nie będą Państwo otrzymywać od nas e-maili" in visible(done)
    assert email_opted_out(app) == (True, "unsubscribe-link")


def test_a_mail_clients_one_click_post_unsubscribes_at_once(app, client, clock, engage, deliver, mailbox):
    # RFC 8058: the List-Unsubscribe URL, POSTed with the body List-Unsubscribe=One-Click
    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=1)
    deliver()
    [mail] = mailbox.received
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = mail["List-Unsubscribe"].strip("<>").removeprefix("https://desk.example.org")
    answer = client.post(path, data="List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert email_opted_out(app) == (True, "list-unsubscribe")
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200, "idempotent"


def email_response_rate(api) -> dict:
    summary = api.get("/ratings/summary")
    assert summary.status_code == 200
    return {(r["stage"], r["channel"]): (r["delivered"], r["answered"]) for r in summary.json["response_rates"]}


def test_a_refusal_then_acceptance_delivers_exactly_once(app, api, clock, engage, deliver, mailbox):
    mailbox.refusals = ["451 4.3.0 Mailbox busy, try again later"]
    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=1)
    deliver()
    [row] = email_rows(app)
    assert row.status == "retry" and mailbox.received == []
    assert "451" in row.note
    clock.advance(minutes=5)
    deliver()
    deliver()
    assert len(mailbox.received) == 1
    [row] = email_rows(app)
    assert (row.status, row.attempts) == ("sent", 2)
    assert email_response_rate(api) == {("visit", "email"): (1, 0)}, "accepted: reached the victim, not answered"


def test_a_permanent_refusal_fails_the_email_for_good(app, api, clock, engage, deliver, mailbox):
    mailbox.refusals = ["550 5.1.1 No such user here"]
    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=1)
    deliver()
    clock.advance(hours=1)
    deliver()
    [row] = email_rows(app)
    assert (row.status, row.error_code, row.attempts) == ("failed", 550, 1)
    assert mailbox.received == []
    assert email_response_rate(api) == {}, "never reached the victim: not in the response rates"


def test_a_mail_server_that_is_down_is_tried_again(app, clock, engage, deliver, mailbox):
    port = app.config["SMTP_PORT"]
    settings.override(app.config, SMTP_PORT=_free_port())  # nothing listens there
    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=1)
    deliver()
    assert email_rows(app)[0].status == "retry"
    settings.override(app.config, SMTP_PORT=port)
    clock.advance(minutes=5)
    deliver()
    assert len(mailbox.received) == 1 and email_rows(app)[0].status == "sent"


def test_quiet_hours_are_kept_at_send_time(app, clock, engage, deliver, mailbox):
    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=12)  # 22:00: the row is due, but it is night now
    deliver()
    assert mailbox.received == []
    [row] = email_rows(app)
    assert row.status == "retry" and row.next_attempt_at == datetime(2026, 11, 24, 8, 0, tzinfo=LONDON)
    clock.advance(hours=10)
    deliver()
    assert len(mailbox.received) == 1


def test_a_landline_goes_by_email_only_where_email_is_marked_safe(app, clock, engage):
    landline = {"victim_phone": "020 7946 0123", "victim_email": ADDRESS}
    unsafe = engage(**landline)
    assert (unsafe["invitation"], unsafe["reason"]) == ("suppressed", "not_a_mobile")
    safe = engage(**landline, email_safe=True, officer_id="MP2")
    assert (safe["invitation"], safe["channel"]) == ("scheduled", "email"), "the first was never sent: not a repeat"


def test_an_opted_out_number_goes_by_email_where_safe(app, clock, engage):
    with app.app_context():
        db = session()
        record_opt_out(db, VICTIM, source="test")
        db.commit()
    created = engage(victim_email=ADDRESS, email_safe=True)
    assert (created["invitation"], created["channel"]) == ("scheduled", "email")


def test_texting_unsafe_never_means_email(app, clock, engage, case):
    case(sms_allowed=False)
    created = engage(victim_email=ADDRESS, email_safe=True)
    assert (created["invitation"], created["reason"], created["channel"]) == ("suppressed", "sms_unsafe", None)
    assert email_rows(app) == []


def test_development_writes_eml_files_once(app, clock, engage, deliver, instance_path):
    settings.override(app.config, SMTP_HOST=None)
    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=1)
    deliver()
    [row] = email_rows(app)
    path = instance_path / "mail" / f"outbox-{row.id}.eml"
    assert row.status == "sent" and path.exists()
    written = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert written["To"] == ADDRESS and written.get_body(("html",)) is not None


@pytest.mark.parametrize("change, field", [
    ({"victim_email": "not an address"}, "victim_email"),
    ({"victim_email": "someone@"}, "victim_email"),
    ({"channel_preference": "email"}, "channel_preference"),
    ({"channel_preference": "pigeon"}, "channel_preference"),
    ({"stage": "trial"}, "stage"),
    ({"occurred_at": "1999-01-01T10:00:00Z"}, "occurred_at"),
    ({"occurred_at": "2026-10-20T10:00:00Z"}, "occurred_at"),  # 34 days before MONDAY_10AM
])
def test_bad_fields_are_422_naming_the_field(api, clock, change, field):
    response = api.post("/engagements", {**__import__("tests.support.cases", fromlist=["x"]).ENGAGEMENT, **change})
    assert response.status_code == 422, response.json
    assert [d["field"] for d in response.json["details"]] == [field]


def test_production_without_smtp_sends_no_email(app, clock, engage):
    settings.override(app.config, SMTP_HOST=None, DESK_ENV="production")
    created = engage(victim_email=ADDRESS, channel_preference="email")
    assert created["channel"] == "sms", "no mail server: the text it would have been"


def test_production_refuses_smtp_in_clear():
    from desk.settings import production_problems

    base = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "SMTP_HOST": "mail.example.org", "SMTP_STARTTLS": False,
            "EMAIL_FROM": "Feedback <feedback@example.org>"}
    assert any("SMTP_STARTTLS" in p for p in production_problems(base))
    assert not any("SMTP" in p for p in production_problems({**base, "SMTP_STARTTLS": True}))


def test_the_sender_name_may_not_say_police():
    from desk.settings import ConfigError, load

    with pytest.raises((ConfigError, ValueError), match="EMAIL_FROM"):
        load({"EMAIL_FROM": "Metropolitan Police <feedback@example.org>"})


def test_an_email_whose_worker_died_mid_send_is_not_sent_again(app, clock, engage, deliver, mailbox):
    from models.outbox import MessageStatus

    engage(victim_email=ADDRESS, channel_preference="email")
    clock.advance(hours=1)
    with app.app_context():  # as the sweeper leaves a row a dead worker had claimed
        db = session()
        row = db.exec(select(OutboundMessage).where(OutboundMessage.channel == "email")).one()
        row.status, row.uncertain, row.attempts = MessageStatus.RETRY.value, True, 1
        db.add(row)
        db.commit()
    deliver()
    assert mailbox.received == []
    [row] = email_rows(app)
    assert row.status == "failed" and "not sent again" in row.note


def test_a_case_can_mark_email_safe(app, api, clock, engage, case):
    case(phone="020 7946 0123", email_allowed=True)  # a landline: no texts
    created = engage(victim_phone="020 7946 0123", victim_email=ADDRESS)
    assert (created["invitation"], created["channel"]) == ("scheduled", "email")
    listed = api.get("/cases/" + str(case(phone="020 7946 0123", email_allowed=True))).json
    assert listed["contact"]["email_allowed"] is True
