"""The language a victim's texts are written in: the case's language when the case
system gave one, else the language of their last call to the desk, else English."""
from __future__ import annotations

from sqlmodel import Session, select

from flows.sms_texts import LANGUAGES
from models.calls import Call
from models.cases import Case


def for_phone(db: Session, phone: str | None, case: Case | None = None) -> str:
    """"en" or "pl" for texts to PHONE (about CASE, when one is in hand)."""
    if case is not None and case.language in LANGUAGES:
        return case.language
    if not phone:
        return "en"
    said = db.exec(select(Case.language).where(Case.victim_phone == phone, Case.language.is_not(None))
                   .order_by(Case.updated_at.desc(), Case.id.desc())).first()
    if said in LANGUAGES:
        return said
    heard = db.exec(select(Call.language).where(Call.caller == phone)
                    .order_by(Call.started_at.desc(), Call.id.desc())).first()
    return heard if heard in LANGUAGES else "en"
