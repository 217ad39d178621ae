"""GET /api/v1/callbacks: callback requests and how each attempt went, for integrations."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import func
from sqlmodel import select

from api import cursors
from api.base import document, parse_query, require_token, sometimes
from api.bounds import MAX_OFFSET, in_range
from desk import keyset
from desk.clock import LONDON
from models.callbacks import CALLBACK_STATUSES, CallbackAttempt, CallbackRequest, CallbackStatus
from models.db import session

bp = Blueprint("callbacks_api", __name__, url_prefix="/api/v1")

STATUSES = CALLBACK_STATUSES


class CallbackFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: CallbackStatus | None = None
    due_before: datetime | None = Field(default=None, description="next attempt due at or before (ISO 8601)")
    due_after: datetime | None = Field(default=None, description="next attempt due at or after (ISO 8601)")
    min_attempts: int | None = Field(default=None, ge=0, le=100)
    max_attempts: int | None = Field(default=None, ge=0, le=100)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    cursor: str | None = Field(default=None, description="next_cursor from the previous page")
    count: bool = Field(default=False, description="also count every matching callback (a scan: slower)")

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value):
        return cursors.checked("callbacks", value)

    @field_validator("due_before", "due_after")
    @classmethod
    def _aware(cls, value: datetime | None):
        if value is None:
            return None
        # a time without an offset means London wall-clock time, as everywhere at the desk
        return in_range(value if value.tzinfo else value.replace(tzinfo=LONDON))

    @model_validator(mode="after")
    def _ranges(self):
        if self.due_before and self.due_after and self.due_after > self.due_before:
            raise ValueError("due_after is later than due_before")
        if self.min_attempts is not None and self.max_attempts is not None \
                and self.min_attempts > self.max_attempts:
            raise ValueError("min_attempts is greater than max_attempts")
        if self.cursor and self.offset:
            raise ValueError("offset and cursor: give one (a cursor pages on from where the last page ended)")
        return self


def _filters() -> CallbackFilters:
    return parse_query(CallbackFilters)


def _where(query, f: CallbackFilters):
    if f.status:
        query = query.where(CallbackRequest.status == f.status)
    if f.due_before:
        query = query.where(CallbackRequest.next_attempt_at <= f.due_before)
    if f.due_after:
        query = query.where(CallbackRequest.next_attempt_at >= f.due_after)
    if f.min_attempts is not None:
        query = query.where(CallbackRequest.attempts >= f.min_attempts)
    if f.max_attempts is not None:
        query = query.where(CallbackRequest.attempts <= f.max_attempts)
    return query


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class Window(BaseModel):
    start: str | None
    end: str | None


class AttemptOut(BaseModel):
    attempt_no: int
    started_at: str | None
    ended_at: str | None
    agent_id: int | None
    outcome: str | None


class CallbackOut(BaseModel):
    id: int
    phone: str = Field(description="E.164, the number to call")
    status: str
    attempts: int
    next_attempt_at: str | None
    last_outcome: str | None
    safe_to_call: bool
    voicemail_allowed: bool
    window: Window | None
    language: str
    verified_case_id: int | None
    agent_id: int | None
    call_sid: str | None
    queue_joined_at: str | None
    requested_at: str | None
    attempt_log: list[AttemptOut]


class CallbackPage(BaseModel):
    total: int = sometimes("the number of matching callbacks; only with count=true")
    limit: int
    offset: int
    next_cursor: str | None = Field(description="pass as cursor for the next page; null: no more")
    callbacks: list[CallbackOut]


def callback_json(cb: CallbackRequest, attempts: list[CallbackAttempt]) -> dict:
    return {
        "id": cb.id, "phone": cb.phone, "status": cb.status, "attempts": cb.attempts,
        "next_attempt_at": _iso(cb.next_attempt_at), "last_outcome": cb.last_outcome,
        "safe_to_call": cb.safe_to_call, "voicemail_allowed": cb.voicemail_allowed,
        "window": {"start": cb.window_start, "end": cb.window_end} if cb.window_start or cb.window_end else None,
        "language": cb.language, "verified_case_id": cb.verified_case_id, "agent_id": cb.agent_id,
        "call_sid": cb.call_sid, "queue_joined_at": _iso(cb.queue_joined_at), "requested_at": _iso(cb.requested_at),
        "attempt_log": [{"attempt_no": a.attempt_no, "started_at": _iso(a.started_at), "ended_at": _iso(a.ended_at),
                         "agent_id": a.agent_id, "outcome": a.outcome} for a in attempts],
    }


@bp.get("/callbacks")
@require_token("callbacks:read")
def list_callbacks():
    f = _filters()
    db = session()
    query = keyset.after(_where(select(CallbackRequest), f), CallbackRequest.queue_joined_at, CallbackRequest.id,
                         cursors.decode("callbacks", f.cursor) if f.cursor else None)
    rows = db.exec(query.order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)
                   .offset(f.offset).limit(f.limit + 1)).all()
    more, rows = len(rows) > f.limit, rows[:f.limit]
    ids = [cb.id for cb in rows]
    attempts: dict[int, list[CallbackAttempt]] = {i: [] for i in ids}
    if ids:
        for a in db.exec(select(CallbackAttempt).where(CallbackAttempt.callback_id.in_(ids))
                         .order_by(CallbackAttempt.attempt_no, CallbackAttempt.id)).all():
            attempts[a.callback_id].append(a)
    page: dict = {"limit": f.limit, "offset": f.offset, "next_cursor": cursors.encode(
        "callbacks", rows[-1].queue_joined_at, rows[-1].id) if more else None}
    if f.count:  # every matching row is counted: only when the client asks
        page["total"] = db.exec(_where(select(func.count(CallbackRequest.id)), f)).one()
    return jsonify({**page, "callbacks": [callback_json(cb, attempts[cb.id]) for cb in rows]})


document("/callbacks", "get",
         "Callback requests in the order they are worked (the caller's first queue join), "
         "with the number to call and every attempt",
         params=[
             {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
             {"name": "due_before", "in": "query", "schema": {"type": "string", "format": "date-time"},
              "description": "next attempt due at or before; without an offset, London time"},
             {"name": "due_after", "in": "query", "schema": {"type": "string", "format": "date-time"}},
             {"name": "min_attempts", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 100}},
             {"name": "max_attempts", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 100}},
             {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
             {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
              "description": "rows to skip (reads them all: page on with cursor instead)"},
             {"name": "cursor", "in": "query", "schema": {"type": "string"},
              "description": "next_cursor from the previous page"},
             {"name": "count", "in": "query", "schema": {"type": "boolean"},
              "description": "also give total, the number of matching callbacks (counts them all: slower)"},
         ],
         scope="callbacks:read",
         responses={200: "the callbacks (limit, offset, next_cursor, callbacks; total with count=true)"},
         bodies={200: CallbackPage})
