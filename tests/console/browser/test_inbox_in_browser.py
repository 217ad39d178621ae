"""The desk inbox in headless Chromium: a victim texts words of distress, an agent opens
the urgent message, replies, a real RQ worker sends the reply to the fake Twilio, and
the supervisor's audit log shows who viewed it.  Screenshots go to tests/artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.browser_support import browser_login, shoot
from tests.fixtures.texts import deliver, texter  # noqa: F401
from tests.support.cases import REFERENCE
from tests.support.numbers import VICTIM

pytestmark = pytest.mark.browser

REPLY = "We have read your message. An officer will call you today. If you are in danger call 999."


def test_an_agent_answers_an_urgent_text_and_the_view_is_audited(page, new_page, add_agent, staff, case, texter,
                                                                 deliver, fake_twilio, clock):
    staff("agent-a@desk.example", "agent", agent_id=add_agent("agent-a", "+447911200001", state="offline", idle=10))
    staff("super@desk.example", "supervisor")
    [answer] = texter(VICTIM).send("He is here again and I am scared, please help")
    assert "999" in answer and "0808 2000 247" in answer

    browser_login(page, "agent-a@desk.example")
    page.get_by_role("link", name="Inbox").click()
    expect(page.locator("#urgent-unread")).to_have_text("1 urgent message not yet read.")
    row = page.locator("#inbox tbody tr").first
    expect(row).to_contain_text("URGENT")
    shoot(page, "inbox-list-urgent")
    row.get_by_role("link", name="Open").click()
    message_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("#message-body")).to_have_text("He is here again and I am scared, please help")
    expect(page.locator("#urgent-flag")).to_be_visible()
    expect(page.locator("body")).to_contain_text(f"Case {REFERENCE}")
    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("body")).to_contain_text("Your reply is on its way.")
    shoot(page, "inbox-message-replied")

    deliver()  # a real RQ worker sends it to the fake Twilio
    assert [m["body"] for m in fake_twilio.messages_to(VICTIM)] == [REPLY]

    supervisor = new_page()
    browser_login(supervisor, "super@desk.example")
    supervisor.goto(f"/console/audit?subject=inbox:{message_id}")
    audit = supervisor.locator("table")
    expect(audit).to_contain_text("agent-a@desk.example")
    expect(audit).to_contain_text("view_inbox_message")
    expect(audit).to_contain_text("reply_inbox_message")
    shoot(supervisor, "inbox-audit-log")
    assert page.js_errors == []
