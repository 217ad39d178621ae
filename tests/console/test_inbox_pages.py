"""The desk inbox in the console: list, open (audited), reply through the outbox with
every safety check, book a call-back by the call-back rules, mark done."""
from __future__ import annotations

from sqlmodel import select

from models.callbacks import CallbackRequest
from models.cases import Case
from models.db import session
from models.inbox import InboxMessage
from models.outbox import OutboundMessage, record_opt_out
from models.staff import AuditLog
from tests.fixtures.texts import texter  # noqa: F401
from tests.support.console import csrf_from, log_in
from tests.support.numbers import OTHER, VICTIM


def post(client, page, action, /, **data):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


def only_message(app) -> int:
    with app.app_context():
        return session().exec(select(InboxMessage.id)).one()


def test_an_agent_reads_replies_and_finishes_a_message(app, client, staff, add_agent, case, texter, clock, rows):
    texter().send("When is the court date? I am scared he will be there")
    staff("agent@desk.example", "agent", agent_id=add_agent("agent-a", "+447911200001", state="offline", idle=10))
    log_in(client, "agent@desk.example")
    listing = client.get("/console/agent/inbox").get_data(as_text=True)
    assert "URGENT" in listing and "1 urgent message not yet read" in listing
    message_id = only_message(app)
    page = client.get(f"/console/agent/inbox/{message_id}").get_data(as_text=True)
    assert "When is the court date? I am scared he will be there" in page and "5201234/26" in page
    assert [(a.action, a.subject) for a in rows(AuditLog) if a.action == "view_inbox_message"] == [
        ("view_inbox_message", f"inbox:{message_id}")]
    assert "Assigned to me</a> (1)" in client.get("/console/agent/inbox").get_data(as_text=True)

    sent = post(client, f"/console/agent/inbox/{message_id}", f"/console/agent/inbox/{message_id}/reply",
                body="We will call you before the hearing. In danger call 999.")
    assert sent.status_code == 303
    [reply] = [m for m in rows(OutboundMessage) if m.purpose == "inbox_reply"]
    assert (reply.to_number, reply.body, reply.status) == (
        VICTIM, "We will call you before the hearing. In danger call 999.", "pending")

    booked = post(client, f"/console/agent/inbox/{message_id}", f"/console/agent/inbox/{message_id}/callback")
    assert booked.status_code == 303
    [callback] = rows(CallbackRequest)
    assert (callback.phone, callback.status) == (VICTIM, "pending")

    post(client, f"/console/agent/inbox/{message_id}", f"/console/agent/inbox/{message_id}/done")
    assert [m.status for m in rows(InboxMessage)] == ["done"]
    assert {a.action for a in rows(AuditLog)} >= {"view_inbox", "view_inbox_message", "reply_inbox_message",
                                                   "book_callback_from_inbox", "inbox_done"}


def test_no_reply_to_an_opted_out_or_unsafe_number_and_no_call_back_where_calls_are_unsafe(
        app, client, staff, add_agent, case, texter, clock, rows):
    texter().send("Can you ring me tomorrow?")
    message_id = only_message(app)
    staff("agent@desk.example", "agent", agent_id=add_agent("agent-a", "+447911200001", state="offline", idle=10))
    log_in(client, "agent@desk.example")
    with app.app_context():
        row = session().get(Case, case)
        row.sms_allowed, row.safe_to_call = False, False
        session().add(row)
        session().commit()
    page = client.get(f"/console/agent/inbox/{message_id}").get_data(as_text=True)
    assert "A case says texting this number is not safe." in page
    refused = post(client, f"/console/agent/inbox/{message_id}", f"/console/agent/inbox/{message_id}/reply",
                   body="Hello")
    assert refused.status_code == 303
    assert [m for m in rows(OutboundMessage) if m.purpose == "inbox_reply"] == []
    post(client, f"/console/agent/inbox/{message_id}", f"/console/agent/inbox/{message_id}/callback")
    assert rows(CallbackRequest) == []
    assert "a call back cannot be booked" in client.get(f"/console/agent/inbox/{message_id}").get_data(as_text=True)

    texter(OTHER).send("Who is this?")
    with app.app_context():
        other = session().exec(select(InboxMessage).where(InboxMessage.phone == OTHER)).one().id
        record_opt_out(session(), OTHER, source="sms-keyword")
        session().commit()
    post(client, f"/console/agent/inbox/{other}", f"/console/agent/inbox/{other}/reply", body="Hello")
    assert [m for m in rows(OutboundMessage) if m.purpose == "inbox_reply"] == []
