"""Fixtures for the desk console: staff accounts and a client logged in through the
real login form (CSRF token and all)."""
from __future__ import annotations

import re

import pytest

DEFAULT_PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(app):
    """make(email, role, password=..., agent_id=None) -> the StaffUser (detached)."""
    from services.staff_accounts import create_account

    def make(email: str, role: str, password: str = DEFAULT_PASSWORD, agent_id: int | None = None):
        with app.app_context():
            return create_account(email, role, password, agent_id)

    return make


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token in a form"
    return match.group(1)


def log_in(client, email: str, password: str = DEFAULT_PASSWORD):
    """Log CLIENT in with the login form; returns the client."""
    form = client.get("/console/login")
    assert form.status_code == 200, form.status_code
    response = client.post("/console/login", data={
        "email": email, "password": password, "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert response.status_code == 302, f"login failed ({response.status_code})"
    return client


@pytest.fixture
def login():
    """login(client, email, password=...) -> the client, logged in."""
    return log_in


@pytest.fixture
def agent_row(app):
    """make(name, skills=("en",), state="offline", phone=None, client=None) -> Agent id."""
    from models.agents import Agent
    from models.db import session

    def make(name: str, *, skills=("en",), state: str = "offline", phone: str | None = None,
             client: str | None = None) -> int:
        with app.app_context():
            db = session()
            agent = Agent(name=name, skills=list(skills), state=state, phone=phone,
                          client_identity=client or (None if phone else name.lower().replace(" ", "-")))
            db.add(agent)
            db.commit()
            return agent.id

    return make


def form_post(client, page_url: str, action: str, data: dict):
    """POST a console form found on PAGE_URL with the page's CSRF token."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


# The real-browser fixtures (Chromium on a loopback server): defined once here, since a
# second session-scoped Playwright would refuse to start inside the first one's loop.
from tests.console.browser_support import (  # noqa: E402,F401
    browser, live_server, new_page, page, pytest_runtest_makereport)

# The agents' side fixtures: emulated callers, real RQ workers, the fake Twilio API.
from tests.agents.conftest import (  # noqa: E402,F401
    add_agent, call_status, dial, pick_up, route, rows, twilio_fetch)

VICTIM = "+447911123456"
STRANGER = "+447911123457"
REFERENCE = "5201234/26"
REFERENCE_KEYS = "520123426#"


@pytest.fixture
def case(app, clock):
    """A case registered to VICTIM (texts allowed, no voicemail, safe 09:00-17:00) with one update."""
    from datetime import timedelta

    from models.cases import Case, CaseUpdate
    from models.db import session

    with app.app_context():
        db = session()
        row = Case(crime_reference=REFERENCE, reference_digits="520123426", victim_phone=VICTIM,
                   victim_name="Named Victim", officer_name="PC Example", borough="Camden",
                   status="under investigation", safe_call_times=["09:00-17:00"], update_detail="full")
        db.add(row)
        db.flush()
        db.add(CaseUpdate(case_id=row.id, message="A suspect has been interviewed.",
                          created_at=clock() - timedelta(days=3)))
        db.commit()
        return row.id


@pytest.fixture
def book(app, clock):
    """A callback request as the voice side records it; returns its id."""
    from datetime import timedelta

    from models.callbacks import CallbackRequest
    from models.db import session

    def make(phone: str = VICTIM, *, joined_minutes_ago: int = 0, requested_minutes_ago: int = 0, **fields) -> int:
        with app.app_context():
            db = session()
            now = clock()
            row = CallbackRequest(phone=phone, queue_joined_at=now - timedelta(minutes=joined_minutes_ago),
                                  requested_at=now - timedelta(minutes=requested_minutes_ago), **fields)
            db.add(row)
            db.commit()
            return row.id

    return make


def queue_caller(dial, from_: str = VICTIM, *, verify: bool = False):
    """An emulated caller who (optionally) types the case reference, then asks for the desk."""
    caller = dial(from_)
    if verify:
        caller.press("1")
        caller.press(REFERENCE_KEYS)
    caller.press("2")
    assert caller.waiting_for == "queue", caller.transcript[-3:]
    return caller
