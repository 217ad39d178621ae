"""The inbound-text replay job: texts spooled while the database was down, handled now."""
from __future__ import annotations

from services import inbound_spool
from workers.runtime import job


@job
def replay_inbound() -> dict:
    return inbound_spool.replay()
