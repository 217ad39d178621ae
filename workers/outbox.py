"""Outbox jobs: send one owed text, send a few committed together, sweep what is owed,
and ask Twilio for the delivery reports that never came (periodic)."""
from __future__ import annotations

from desk import clock, settings
from models.db import session
from services import delivery_reports, outbox
from services.twilio_client import make_client
from workers.runtime import job


@job
def send_message(message_id: int) -> str:
    return outbox.send_message(message_id)


@job
def send_messages(message_ids: list[int]) -> dict[int, str]:
    return outbox.send_messages(message_ids)


@job
def sweep_outbox() -> dict:
    return outbox.sweep_outbox()


@job
def reconcile_deliveries() -> int:
    return delivery_reports.reconcile(session(), make_client(settings.current()), clock.now())
