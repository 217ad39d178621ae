"""A case update posted through the API (or by an agent) is texted to the victim, when
the case says texts are safe, with the detail the case allows by text; the caller is
told whether a text was queued and, if not, why."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from desk import clock, settings
from desk.phone import desk_number
from desk.redact import pseudonym
from flows.sms_schedule import next_send_time
from flows.sms_texts import render
from models.cases import Case, CaseUpdate
from models.outbox import MessageStatus
from services import text_language
from services.outbox import queue_sms

log = logging.getLogger(__name__)

# Why an update was not texted, as the case system is told (api/cases.py documents them)
NOT_TEXTED = {
    "sms_not_allowed": "the case says texts to the victim are not safe (contact.sms_allowed)",
    "opted_out": "the victim's number has opted out of texts from the desk",
    "sms_unsafe": "another case says texting this number is not safe",
    "invalid_number": "the number cannot receive texts",
}
_OUTBOX_NOTES = {"recipient opted out": "opted_out", "SMS marked unsafe on a case": "sms_unsafe"}


@dataclass(frozen=True)
class TextOutcome:
    queued: bool
    reason: str | None = None        # a NOT_TEXTED key when not queued
    send_at: datetime | None = None  # when queued: not before this (the quiet hours)
    language: str | None = None

    def as_json(self) -> dict:
        body = {"queued": self.queued, "reason": self.reason,
                "explanation": NOT_TEXTED.get(self.reason or "") if not self.queued else None}
        if self.queued:
            body["send_at"] = self.send_at.isoformat() if self.send_at else None
            body["language"] = self.language
        return body


def case_update_text(case: Case, update: CaseUpdate, language: str = "en") -> str:
    """The update as the case allows it by text: the reference and the update itself
    only when the case says full detail by text is safe (a lock screen shows it)."""
    if case.update_detail == "full" and case.full_detail_by_text:
        return render("case_update_full", language=language, reference=case.crime_reference,
                      message=update.message, desk_number=desk_number())
    return render("case_update_minimal", language=language, desk_number=desk_number())


def text_victim(session: Session, case: Case, update: CaseUpdate) -> TextOutcome:
    """Queue UPDATE's text in SESSION's transaction, where the case allows texts."""
    if not case.sms_allowed or not case.victim_phone:
        log.info("case %s update %s not texted: SMS not allowed", case.id, update.id)
        return TextOutcome(False, "sms_not_allowed")
    # no texts at night: a phone lighting up at 23:00 can put a victim at risk (the
    # worker checks again just before sending)
    now = clock.now()
    send_at = next_send_time(now, settings.current()["SMS_QUIET_HOURS"])
    not_before = send_at if send_at > now else None
    language = text_language.for_phone(session, case.victim_phone, case)
    message = queue_sms(session, to=case.victim_phone, body=case_update_text(case, update, language),
                        purpose="case_update", key=str(update.id), not_before=not_before)
    log.info("case %s update %s to %s: %s", case.id, update.id, pseudonym(case.victim_phone), message.status)
    if message.status == MessageStatus.SUPPRESSED.value:
        return TextOutcome(False, _OUTBOX_NOTES.get(message.note or "", "sms_unsafe"))
    if message.status == MessageStatus.INVALID_NUMBER.value:
        return TextOutcome(False, "invalid_number")
    return TextOutcome(True, send_at=send_at, language=language)
