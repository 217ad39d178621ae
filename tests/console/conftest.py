"""Fixtures for the desk console: staff accounts and a client logged in through the
real login form (CSRF token and all)."""
from __future__ import annotations

import pytest

from tests.support.cases import REFERENCE
from tests.support.console import DEFAULT_PASSWORD, log_in
from tests.support.numbers import VICTIM

# The agents' side fixtures: emulated callers, real RQ workers, the fake Twilio API.
from tests.fixtures.agents import (  # noqa: F401
    add_agent, call_status, dial, pick_up, route, rows, twilio_fetch)


@pytest.fixture
def staff(app):
    """make(email, role, password=..., agent_id=None) -> the StaffUser (detached)."""
    from services.staff_accounts import create_account

    def make(email: str, role: str, password: str = DEFAULT_PASSWORD, agent_id: int | None = None):
        with app.app_context():
            return create_account(email, role, password, agent_id)

    return make


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
                   status="under investigation", safe_call_times=["09:00-17:00"], update_detail="full",
                   sms_allowed=True)
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
