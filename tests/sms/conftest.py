"""Fixtures for the SMS side: a fixed clock, engagements through the API, texters
signed as Twilio signs, and sending whatever the outbox owes through real workers."""
from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from emulator.texter import Texter

VICTIM = "+447911123456"
OTHER = "+447911123457"

ENGAGEMENT = {
    "officer_id": "MP1234",
    "officer_name": "PC 4521 Lambeth",
    "borough": "Lambeth",
    "victim_phone": "07911 123456",
    "crime_reference": "5201234/26",
    "occurred_at": "2026-11-23T09:30:00+00:00",
}


@pytest.fixture
def texter(client):
    def make(phone: str = VICTIM) -> Texter:
        return Texter(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=phone, to=DESK_NUMBER)

    return make


@pytest.fixture
def engage(api):
    """POST an engagement; returns the response JSON (asserting 201)."""

    def post(**changes) -> dict:
        response = api.post("/engagements", {**ENGAGEMENT, **changes})
        assert response.status_code == 201, response.json
        return response.json

    return post


@pytest.fixture
def case(api):
    """Register a case through the case API; returns its id."""

    def post(phone: str = "07911 123456", reference: str = "5201234/26", **contact) -> int:
        body = {"crime_reference": reference, "victim_phone": phone, "officer_name": "PC 4521 Lambeth",
                "borough": "Lambeth", "contact": contact}
        response = api.post("/cases", body)
        assert response.status_code in (200, 201), response.json
        return response.json["id"]

    return post


@pytest.fixture
def deliver(app, fake_twilio, run_workers):
    """Send everything the outbox owes now (per the app clock) through real RQ workers."""
    from workers.outbox import sweep_outbox

    def run() -> None:
        run_workers()  # jobs queued on commit: they send, or park the row until it is due
        with app.app_context():
            sweep_outbox()  # rows now due by the app clock
        run_workers()

    return run


@pytest.fixture
def outbox(app):
    """The outbox rows, oldest first, as (purpose, status, to, body)."""
    from models.db import session
    from models.outbox import OutboundMessage

    def rows() -> list[tuple]:
        with app.app_context():
            found = session().exec(select(OutboundMessage).order_by(OutboundMessage.id)).all()
            return [(m.purpose, m.status, m.to_number, m.body) for m in found]

    return rows
