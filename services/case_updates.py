"""A case update posted through the API is texted to the victim, when they said texts
are safe, with the detail they chose."""
from __future__ import annotations

import logging

from sqlmodel import Session

from desk import clock, settings
from desk.phone import desk_number
from desk.redact import pseudonym
from flows.sms_schedule import next_send_time
from flows.sms_texts import render
from models.cases import Case, CaseUpdate
from services.outbox import queue_sms

log = logging.getLogger(__name__)


def case_update_text(case: Case, update: CaseUpdate) -> str:
    """The update as the victim chose to receive it: minimal, or the update itself."""
    if case.update_detail == "full":
        return render("case_update_full", reference=case.crime_reference, message=update.message,
                      desk_number=desk_number())
    return render("case_update_minimal", desk_number=desk_number())


def text_victim(session: Session, case: Case, update: CaseUpdate) -> None:
    """Queue UPDATE's text in SESSION's transaction, where the case allows texts."""
    if not case.sms_allowed or not case.victim_phone:
        log.info("case %s update %s not texted: SMS not allowed", case.id, update.id)
        return
    # no texts at night: a phone lighting up at 23:00 can put a victim at risk
    send_at = next_send_time(clock.now(), settings.current()["SMS_QUIET_HOURS"])
    not_before = send_at if send_at > clock.now() else None
    message = queue_sms(session, to=case.victim_phone, body=case_update_text(case, update),
                        purpose="case_update", key=str(update.id), not_before=not_before)
    log.info("case %s update %s to %s: %s", case.id, update.id, pseudonym(case.victim_phone), message.status)

