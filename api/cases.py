"""The case system's side of the API: cases and the updates on them."""
from __future__ import annotations

import re
from typing import Literal

from flask import Blueprint, g, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from sqlmodel import select

from api.base import document, not_found, parse_body, require_token, victim_phone
from models.cases import Case, CaseUpdate, reference_digits, reference_key
from models.db import session, utcnow
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
    update_detail: Literal["minimal", "full"] | None = None
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
    borough: str | None = Field(default=None, max_length=100)
    status: str | None = Field(default=None, min_length=1, max_length=50)
    contact: Contact | None = None
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


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=1000)
    status: str | None = Field(default=None, min_length=1, max_length=50)


def case_json(case: Case) -> dict:
    return {
        "id": case.id, "crime_reference": case.crime_reference, "victim_phone": case.victim_phone,
        "victim_name": case.victim_name, "officer_name": case.officer_name, "borough": case.borough,
        "status": case.status, "vawg": case.vawg,
        "contact": {"sms_allowed": case.sms_allowed, "safe_to_call": case.safe_to_call,
                    "voicemail_allowed": case.voicemail_allowed,
                    "safe_call_times": case.safe_call_times, "update_detail": case.update_detail,
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
    fields = data.model_dump(exclude_unset=True, exclude={"contact", "victim_phone", "pin"})
    for name, value in fields.items():
        if value is not None:
            setattr(case, name, value)
    case.victim_phone = phone
    for name, value in (data.contact.model_dump(exclude_unset=True) if data.contact else {}).items():
        if value is not None:
            setattr(case, name, value)
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
    update = add_update(db, case, data.message, data.status)
    return jsonify(update_json(update)), 201


_ID = [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
document("/cases", "post", "Create a case, or update the case with the same crime reference", body=CaseIn,
         scope="cases:write", responses={201: "created", 200: "updated (same id)", 422: "invalid fields"})
document("/cases/{case_id}", "get", "A case and its updates, newest first", params=_ID,
         scope="cases:read", responses={200: "the case", 404: "no such case"})
document("/cases/{case_id}/updates", "post", "Post an update on a case", body=UpdateIn, params=_ID,
         scope="cases:write", responses={201: "created", 404: "no such case", 422: "invalid fields"})
