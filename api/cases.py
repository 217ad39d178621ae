"""The case system's side of the API: cases and the updates on them."""
from __future__ import annotations

import re
from typing import Literal

from flask import Blueprint, g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from sqlmodel import select

from api import boroughs
from api.base import document, not_found, parse_body, require_token, victim_phone
from models.cases import Case, CaseUpdate, reference_digits, reference_key
from models.db import session, utcnow
from services.case_updates import NOT_TEXTED
from services.cases import add_update
from services.passwords import hash_pin

bp = Blueprint("cases_api", __name__, url_prefix="/api/v1")

WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sms_allowed: StrictBool | None = Field(
        default=None, description="true: texts to the victim (case updates among them) are safe. A new case "
                                  "without it: false, nothing is texted; omitted or null: unchanged")
    safe_to_call: StrictBool | None = Field(
        default=None, description="false: the desk never rings this number back, whoever asks")
    voicemail_allowed: StrictBool | None = None
    safe_call_times: list[str] | None = Field(
        default=None, description='windows in Europe/London time, e.g. ["09:00-12:00", "18:00-20:00"]')
    update_detail: Literal["minimal", "full"] | None = Field(
        default=None, description="full: the update itself is read on the phone after the PIN; a new case "
                                  "without it: minimal")
    full_detail_by_text: StrictBool | None = Field(
        default=None, description="true: a text may show the crime reference and the update itself (it can be "
                                  "read on a lock screen); needs update_detail full. A new case without it: "
                                  "false, texts say only that there is news; omitted or null: unchanged")
    email_allowed: StrictBool | None = Field(
        default=None, description="true: a survey invitation may go to the victim's email (given on the "
                                  "engagement) when their number cannot take texts (a landline, opted out); "
                                  "never because texting is unsafe. A new case without it: false")

    @field_validator("safe_call_times")
    @classmethod
    def _windows(cls, value):
        for window in value or []:
            if not WINDOW.match(window) or window[:5] >= window[6:]:
                raise ValueError(f"{window!r} is not a time window like 09:00-12:00")
        return value


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    crime_reference: str = Field(
        min_length=1, max_length=64,
        description="identifies the case: compared upper-case, with runs of spaces as one and no spaces "
                    "around a slash; letters count (CAD 9999/26 and CRIS 9999/26 are two cases)")
    victim_phone: str = Field(min_length=1, max_length=40)
    victim_name: str | None = Field(default=None, max_length=200)
    officer_name: str | None = Field(default=None, max_length=200)
    borough: str | None = Field(default=None, max_length=100,
                                description="one of the force's boroughs (FORCE_BOROUGHS), any case")
    status: str | None = Field(default=None, min_length=1, max_length=50)
    contact: Contact | None = None
    language: Literal["en", "pl"] | None = Field(
        default=None, description="the language of texts to the victim. Omitted: unchanged; null (or a new "
                                  "case without it): the language of the victim's last call to the desk, else en")
    vawg: StrictBool | None = Field(
        default=None, description="a VAWG case (violence against women and girls): the victim's calls and "
                                  "callbacks go to an agent with the vawg skill first. A new case without it: "
                                  "false; omitted or null: unchanged")
    pin: str | None = Field(
        default=None, pattern=r"^[0-9]{4,8}$", repr=False, json_schema_extra={"writeOnly": True},
        description="4 to 8 digits the victim types on the phone before a full update (update_detail "
                    "full) is read; a full-update case without a PIN gets the minimal update. Write-only: "
                    "stored as an argon2id hash, never returned. Omitted: unchanged; null: cleared")

    @field_validator("crime_reference")
    @classmethod
    def _has_digits(cls, value):
        if not reference_digits(value):
            raise ValueError("a crime reference needs digits a caller can type")
        return value

    @field_validator("borough")
    @classmethod
    def _borough(cls, value):
        return None if value is None else boroughs.canonical(value)


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=1000)
    status: str | None = Field(default=None, min_length=1, max_length=50)


class ContactOut(BaseModel):
    sms_allowed: bool
    safe_to_call: bool
    voicemail_allowed: bool
    safe_call_times: list[str]
    update_detail: Literal["minimal", "full"]
    full_detail_by_text: bool


class UpdateOut(BaseModel):
    id: int
    case_id: int
    message: str
    status: str | None
    created_at: str = Field(description="ISO 8601")


class CaseOut(BaseModel):
    id: int
    crime_reference: str
    victim_phone: str = Field(description="E.164")
    victim_name: str | None
    officer_name: str | None
    borough: str | None
    status: str
    vawg: bool
    language: Literal["en", "pl"] | None = Field(description="null: texts follow the victim's last call, else en")
    contact: ContactOut
    pin_set: bool = Field(description="a PIN is set (the PIN itself is write-only)")
    created_at: str
    updated_at: str
    updates: list[UpdateOut] = Field(description="newest first")


class CaseSaved(BaseModel):
    id: int
    created: bool


class TextOut(BaseModel):
    queued: bool = Field(description="true: a text to the victim is queued; false: none will be sent")
    reason: Literal[tuple(NOT_TEXTED)] | None = Field(  # type: ignore[valid-type]
        description="why no text: " + "; ".join(f"{k}: {v}" for k, v in NOT_TEXTED.items()))
    explanation: str | None = Field(description="the reason in words")
    send_at: str | None = Field(default=None, description="when queued: not before this (the quiet hours), "
                                                          "ISO 8601")
    language: Literal["en", "pl"] | None = Field(default=None, description="when queued: the text's language")


class UpdatePosted(UpdateOut):
    text: TextOut = Field(description="whether the victim is texted about the update, and if not why")


def case_json(case: Case) -> dict:
    return {
        "id": case.id, "crime_reference": case.crime_reference, "victim_phone": case.victim_phone,
        "victim_name": case.victim_name, "officer_name": case.officer_name, "borough": case.borough,
        "status": case.status, "vawg": case.vawg, "language": case.language,
        "contact": {"sms_allowed": case.sms_allowed, "safe_to_call": case.safe_to_call,
                    "voicemail_allowed": case.voicemail_allowed,
                    "safe_call_times": case.safe_call_times, "update_detail": case.update_detail,
                    "full_detail_by_text": case.full_detail_by_text,
                    "email_allowed": case.email_allowed},
        "pin_set": case.pin_hash is not None,  # the PIN itself is write-only
        "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
    }


def update_json(update: CaseUpdate) -> dict:
    return {"id": update.id, "case_id": update.case_id, "message": update.message,
            "status": update.status, "created_at": update.created_at.isoformat()}


@bp.post("/cases")
@require_token("cases:write")
def upsert_case():
    data = parse_body(CaseIn)
    phone = victim_phone(data.victim_phone)
    db = session()
    key = reference_key(data.crime_reference)
    case = db.exec(select(Case).where(Case.reference_key == key)).first()
    created = case is None
    if created:
        case = Case(crime_reference=data.crime_reference, reference_key=key,
                    reference_digits=reference_digits(data.crime_reference), victim_phone=phone)
    fields = data.model_dump(exclude_unset=True, exclude={"contact", "victim_phone", "pin", "language"})
    for name, value in fields.items():
        if value is not None:
            setattr(case, name, value)
    case.victim_phone = phone
    for name, value in (data.contact.model_dump(exclude_unset=True) if data.contact else {}).items():
        if value is not None:
            setattr(case, name, value)
    if "language" in data.model_fields_set:  # omitted: unchanged; null: follow the victim's calls
        case.language = data.language
    if "pin" in data.model_fields_set:  # omitted: unchanged; null: no PIN any more
        case.pin_hash = hash_pin(data.pin) if data.pin is not None else None
    case.updated_at = utcnow()
    db.add(case)
    db.commit()
    g.audit_subject = f"case:{case.id}"
    return jsonify({"id": case.id, "created": created}), 201 if created else 200


@bp.get("/cases/<int:case_id>")
@require_token("cases:read")
def get_case(case_id: int):
    g.audit_subject = f"case:{case_id}"
    db = session()
    case = db.get(Case, case_id) or not_found("case")
    updates = db.exec(select(CaseUpdate).where(CaseUpdate.case_id == case_id)
                      .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())).all()
    return jsonify({**case_json(case), "updates": [update_json(u) for u in updates]})


@bp.post("/cases/<int:case_id>/updates")
@require_token("cases:write")
def post_update(case_id: int):
    g.audit_subject = f"case:{case_id}"
    db = session()
    case = db.get(Case, case_id) or not_found("case")
    data = parse_body(UpdateIn)
    update, text = add_update(db, case, data.message, data.status)
    return jsonify({**update_json(update), "text": text.as_json()}), 201


_ID = [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
document("/cases", "post", "Create a case, or update the case with the same crime reference", body=CaseIn,
         scope="cases:write", responses={201: "created", 200: "updated (same id)", 422: "invalid fields"},
         bodies={201: CaseSaved, 200: CaseSaved})
document("/cases/{case_id}", "get", "A case and its updates, newest first", params=_ID,
         scope="cases:read", responses={200: "the case", 404: "no such case"}, bodies={200: CaseOut})
document("/cases/{case_id}/updates", "post", "Post an update on a case; the answer says whether the victim "
         "is texted about it and, if not, why", body=UpdateIn, params=_ID, scope="cases:write",
         responses={201: "created", 404: "no such case", 422: "invalid fields"}, bodies={201: UpdatePosted})
