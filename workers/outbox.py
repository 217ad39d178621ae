"""Outbox jobs: send one owed text, send a few committed together, sweep what is owed."""
from __future__ import annotations

from services import outbox
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
