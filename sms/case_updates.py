"""A case update posted through the API is texted to the victim, when they said texts
are safe, with the detail they chose."""
from __future__ import annotations

import logging

from desk import clock
from desk.redact import pseudonym
from flows.sms_schedule import next_send_time
from sms import settings

log = logging.getLogger(__name__)


def on_case_update(_sender, *, case, update, session, **_kw) -> None:
    """Receiver for desk.events.case_update_posted (inside the API's transaction)."""
    from sms.inbound import case_update_text
    from workers.outbox import queue_sms

    if not case.sms_allowed or not case.victim_phone:
        log.info("case %s update %s not texted: SMS not allowed", case.id, update.id)
        return
    # no texts at night: a phone lighting up at 23:00 can put a victim at risk
    send_at = next_send_time(clock.now(), settings.quiet_hours())
    not_before = send_at if send_at > clock.now() else None
    message = queue_sms(session, to=case.victim_phone, body=case_update_text(case, update),
                        purpose="case_update", key=str(update.id), not_before=not_before)
    log.info("case %s update %s to %s: %s", case.id, update.id, pseudonym(case.victim_phone), message.status)


def connect() -> None:
    from desk import events

    # blinker keeps one connection per receiver, so repeated create_app() calls are harmless
    events.case_update_posted.connect(on_case_update, weak=False)
