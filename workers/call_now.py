"""The job behind an agent's 'call now' in the console."""
from __future__ import annotations

from services import call_now
from workers.runtime import job


@job
def place(callback_id: int, agent_id: int) -> bool:
    return call_now.place(callback_id, agent_id)
