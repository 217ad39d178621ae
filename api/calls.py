"""GET /api/v1/calls: the call log for integrations, newest first, with a cursor."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import select

from api import cursors
from api.base import document, parse_query, require_token
from api.bounds import in_range
from desk import keyset
from desk.clock import LONDON
from models.calls import OUTCOMES, Call, CallEvent
from models.db import session

bp = Blueprint("calls_api", __name__, url_prefix="/api/v1")


def _start_of(value: date | datetime, *, end: bool = False) -> datetime:
    """A date is a London day (its start, or for ``end`` the start of the next day);
    a datetime without an offset is London time."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LONDON)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(0), tzinfo=LONDON)


class CallFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    outcome: str | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None

    @field_validator("from_", "to")
    @classmethod
    def _when(cls, value):
        if value is not None:
            _parse_when(value)
        return value

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value):
        if value is not None and value not in OUTCOMES:
            raise ValueError(f"must be one of {', '.join(OUTCOMES)}")
        return value

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value):
        if value is not None:
            decode_cursor(value)
        return value

    @model_validator(mode="after")
    def _range(self):
        if self.from_ is not None and self.to is not None and self.starts() >= self.ends():
            raise ValueError("from must be before to")
        return self

    def starts(self) -> datetime | None:
        return _start_of(_parse_when(self.from_)) if self.from_ is not None else None

    def ends(self) -> datetime | None:
        return _start_of(_parse_when(self.to), end=True) if self.to is not None else None


def _parse_when(value: str) -> date | datetime:
    text = value.strip().replace(" ", "+")  # a "+01:00" offset arrives as " 01:00" if not URL-encoded
    try:
        when = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("use a date like 2026-11-23 or a time like 2026-11-23T09:00:00+00:00") from None
    return in_range(when)


def encode_cursor(call) -> str:
    return cursors.encode("calls", call.started_at, call.id)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    return cursors.decode("calls", cursor)


def _filters() -> CallFilters:
    return parse_query(CallFilters)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class QueueEventOut(BaseModel):
    event: str
    at: str | None
    position: int | None
    wait_seconds: int | None
    agent_id: int | None


class CallOut(BaseModel):
    call_sid: str
    caller: str | None = Field(description="E.164; null when withheld")
    called: str | None
    started_at: str | None
    ended_at: str | None
    duration_seconds: int | None
    status: str
    language: str
    path: list[str]
    outcome: str | None
    queue_joined_at: str | None
    wait_seconds: int | None
    agent_id: int | None
    verified: bool
    queue_events: list[QueueEventOut]


class CallPage(BaseModel):
    calls: list[CallOut] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as cursor for the next page; null: no more")


# What a page shows of a call and of its events: read as plain rows, not ORM objects (a
# page of 500 would otherwise build and track 500 calls with their whole flow state).
CALL_COLUMNS = (Call.id, Call.call_sid, Call.caller, Call.called, Call.started_at, Call.ended_at,
                Call.duration_seconds, Call.status, Call.language, Call.path, Call.outcome, Call.queue_joined_at,
                Call.wait_seconds, Call.agent_id, Call.verified_case_id)
EVENT_COLUMNS = (CallEvent.call_sid, CallEvent.event, CallEvent.at, CallEvent.position, CallEvent.wait_seconds,
                 CallEvent.agent_id)


def call_json(call, events: list) -> dict:
    """CALL and its EVENTS (rows or objects with CALL_COLUMNS' and EVENT_COLUMNS' fields)."""
    return {
        "call_sid": call.call_sid, "caller": call.caller, "called": call.called,
        "started_at": _iso(call.started_at), "ended_at": _iso(call.ended_at),
        "duration_seconds": call.duration_seconds, "status": call.status, "language": call.language,
        "path": call.path, "outcome": call.outcome, "queue_joined_at": _iso(call.queue_joined_at),
        "wait_seconds": call.wait_seconds, "agent_id": call.agent_id,
        "verified": call.verified_case_id is not None,
        "queue_events": [{"event": e.event, "at": _iso(e.at), "position": e.position,
                          "wait_seconds": e.wait_seconds, "agent_id": e.agent_id} for e in events],
    }


@bp.get("/calls")
@require_token("calls:read")
def list_calls():
    f = _filters()
    query = select(*CALL_COLUMNS)
    if f.from_ is not None:
        query = query.where(Call.started_at >= f.starts())
    if f.to is not None:
        query = query.where(Call.started_at < f.ends())
    if f.outcome:
        query = query.where(Call.outcome == f.outcome)
    query = keyset.before(query, Call.started_at, Call.id, decode_cursor(f.cursor) if f.cursor else None)
    db = session()
    rows = db.exec(query.order_by(Call.started_at.desc(), Call.id.desc()).limit(f.limit + 1)).all()
    more, rows = len(rows) > f.limit, rows[:f.limit]
    events: dict[str, list] = {c.call_sid: [] for c in rows}
    if rows:
        for e in db.exec(select(*EVENT_COLUMNS).where(CallEvent.call_sid.in_(list(events)))
                         .order_by(CallEvent.at, CallEvent.id)).all():
            events[e.call_sid].append(e)
    return jsonify({"calls": [call_json(c, events[c.call_sid]) for c in rows],
                    "next_cursor": encode_cursor(rows[-1]) if more else None})


document("/calls", "get", "The call log, newest first, with each call's queue events",
         params=[
             {"name": "from", "in": "query", "schema": {"type": "string"},
              "description": "calls starting at or after: a date (a London day) or an ISO 8601 time"},
             {"name": "to", "in": "query", "schema": {"type": "string"},
              "description": "calls starting before: a date (up to the end of that London day) or an ISO 8601 time"},
             {"name": "outcome", "in": "query", "schema": {"type": "string", "enum": list(OUTCOMES)}},
             {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
             {"name": "cursor", "in": "query", "schema": {"type": "string"},
              "description": "next_cursor from the previous page"},
         ],
         scope="calls:read", responses={200: "calls and next_cursor (null on the last page)"}, bodies={200: CallPage})
