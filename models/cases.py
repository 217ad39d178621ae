"""Cases as the force's case system tells us about them, and the updates on them."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import JSON, Column, event
from sqlmodel import Field, SQLModel

from models.db import utcnow


def reference_digits(reference: str) -> str:
    """Callers type a crime reference on a keypad: ``5201234/26`` is ``520123426``."""
    return re.sub(r"\D", "", reference or "")


def reference_key(reference: str) -> str:
    """A crime reference as the case's identity: letters kept (``CAD 9999/26`` and
    ``CRIS 9999/26`` are two cases), upper-case, runs of spaces as one, none around a
    slash.  Only the spelling the case system may vary is folded."""
    folded = re.sub(r"\s+", " ", (reference or "").strip().upper())
    return re.sub(r" ?/ ?", "/", folded)


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    crime_reference: str = Field(max_length=64)
    # the case's identity (reference_key()); the digits only find a caller's cases
    reference_key: str = Field(default="", max_length=64, unique=True, index=True)
    reference_digits: str = Field(max_length=64, index=True)
    victim_phone: str = Field(max_length=20, index=True)  # E.164
    victim_name: str | None = Field(default=None, max_length=200)
    officer_name: str | None = Field(default=None, max_length=200)
    borough: str | None = Field(default=None, max_length=100)
    status: str = Field(default="open", max_length=50)
    # Opt-in: a case the case system sent without contact.sms_allowed gets no texts
    # (api/cases.py).  Rows stored before this default keep their value.
    sms_allowed: bool = False
    # False: the desk never rings this victim's number, whoever asks (services/callback_safety.py)
    safe_to_call: bool = True
    voicemail_allowed: bool = False  # a message on a shared phone can put a victim at risk
    safe_call_times: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    update_detail: str = Field(default="minimal", max_length=10)  # minimal | full
    # a text may show the reference and the update itself (a lock screen does): only when
    # the case system says so; otherwise a full-detail case's texts are minimal too
    full_detail_by_text: bool = False
    # a survey invitation may go by email when the number cannot take texts (0650_my_met_service)
    email_allowed: bool = False
    # violence against women and girls: calls and callbacks on it go to a vawg agent first
    vawg: bool = False
    # argon2id hash of the PIN the case system set (never the PIN); a full update is read
    # on the phone only after it, so None means the minimal update at most.
    pin_hash: str | None = Field(default=None, max_length=200)
    # the language of texts to the victim (en, pl); None: their last call's, else en
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def is_registered_phone(self, e164: str | None) -> bool:
        return bool(e164) and e164 == self.victim_phone


@event.listens_for(Case, "before_insert")
def _key_from_reference(_mapper, _connection, case: Case) -> None:
    # a case made in code (tools, tests) gets the key the API would give it
    if not case.reference_key:
        case.reference_key = reference_key(case.crime_reference)


class CaseUpdate(SQLModel, table=True):
    __tablename__ = "case_updates"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    message: str = Field(max_length=1000)
    status: str | None = Field(default=None, max_length=50)
    created_at: datetime = Field(default_factory=utcnow)
