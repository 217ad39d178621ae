"""GET /api/v1/callbacks: filters, paging, attempts, and clear errors for bad input."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.callbacks import CallbackAttempt, CallbackRequest
from models.db import session

T = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def seeded(app):
    with app.app_context():
        db = session()
        rows = [
            CallbackRequest(phone="+447911123456", queue_joined_at=T, requested_at=T + timedelta(minutes=5),
                            status="pending", attempts=1, next_attempt_at=T + timedelta(minutes=20),
                            last_outcome="no_answer", window_start="12:00", window_end="16:00", call_sid="CA1"),
            CallbackRequest(phone="+447911123457", queue_joined_at=T - timedelta(minutes=9), requested_at=T,
                            status="completed", attempts=2, language="pl", voicemail_allowed=True),
            CallbackRequest(phone="+447911123458", queue_joined_at=T + timedelta(minutes=1),
                            requested_at=T + timedelta(minutes=1), status="pending", attempts=0),
        ]
        db.add_all(rows)
        db.flush()
        db.add_all([CallbackAttempt(callback_id=rows[0].id, attempt_no=1, started_at=T, agent_id=7,
                                    outcome="no_answer", ended_at=T + timedelta(minutes=1)),
                    CallbackAttempt(callback_id=rows[1].id, attempt_no=1, started_at=T, outcome="busy"),
                    CallbackAttempt(callback_id=rows[1].id, attempt_no=2, started_at=T, outcome="connected")])
        db.commit()
        return [r.id for r in rows]


def test_lists_in_working_order_with_the_number_to_call_and_every_attempt(api, seeded):
    response = api.get("/callbacks?count=true")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 3 and body["limit"] == 50 and body["offset"] == 0 and body["next_cursor"] is None
    assert "total" not in api.get("/callbacks").json, "counted only on request: it reads every matching row"
    assert [c["phone"] for c in body["callbacks"]] == ["+447911123457", "+447911123456", "+447911123458"]
    first = body["callbacks"][1]
    assert first == {
        "id": seeded[0], "phone": "+447911123456", "status": "pending", "attempts": 1,
        "next_attempt_at": "2026-11-23T10:20:00+00:00", "last_outcome": "no_answer",
        "safe_to_call": True, "voicemail_allowed": False, "window": {"start": "12:00", "end": "16:00"},
        "language": "en", "verified_case_id": None, "agent_id": None, "call_sid": "CA1",
        "queue_joined_at": "2026-11-23T10:00:00+00:00", "requested_at": "2026-11-23T10:05:00+00:00",
        "attempt_log": [{"attempt_no": 1, "started_at": "2026-11-23T10:00:00+00:00",
                         "ended_at": "2026-11-23T10:01:00+00:00", "agent_id": 7, "outcome": "no_answer"}],
    }
    assert [a["outcome"] for a in body["callbacks"][0]["attempt_log"]] == ["busy", "connected"]


@pytest.mark.parametrize("query, phones", [
    ("status=pending", ["+447911123456", "+447911123458"]),
    ("status=completed", ["+447911123457"]),
    ("due_before=2026-11-23T10:30:00Z", ["+447911123456"]),
    ("due_before=2026-11-23T10:10:00Z", []),
    ("due_after=2026-11-23T10:20:00%2B00:00", ["+447911123456"]),
    ("due_before=2026-11-23T10:20:00", ["+447911123456"]),  # no offset: London time (GMT in November)
    ("due_before=2026-11-23T10:19:59", []),
    ("min_attempts=1", ["+447911123457", "+447911123456"]),
    ("max_attempts=0", ["+447911123458"]),
    ("min_attempts=1&max_attempts=1", ["+447911123456"]),
    ("limit=1&offset=1", ["+447911123456"]),
])
def test_filters_and_paging(api, seeded, query, phones):
    response = api.get(f"/callbacks?{query}")
    assert response.status_code == 200, response.json
    assert [c["phone"] for c in response.json["callbacks"]] == phones


@pytest.mark.parametrize("query, field", [
    ("status=done", "status"),
    ("due_before=tomorrow", "due_before"),
    ("min_attempts=-1", "min_attempts"),
    ("max_attempts=lots", "max_attempts"),
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("offset=-5", "offset"),
    ("colour=blue", "colour"),
    ("min_attempts=3&max_attempts=1", "query"),
    ("due_after=2026-11-24T00:00:00Z&due_before=2026-11-23T00:00:00Z", "query"),
])
def test_bad_filters_are_400_naming_the_field(api, seeded, query, field):
    response = api.get(f"/callbacks?{query}")
    assert response.status_code == 400
    assert response.json["error"].startswith("invalid query parameters")
    assert field in [d["field"] for d in response.json["details"]]


def test_a_bearer_token_is_required(client, seeded):
    assert client.get("/api/v1/callbacks").status_code == 401
    assert client.get("/api/v1/callbacks", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_documented_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    operation = doc["paths"]["/callbacks"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "status", "due_before", "due_after", "min_attempts", "max_attempts", "limit", "offset", "cursor", "count"}
    assert set(operation["responses"]) == {"200", "400", "401", "403"}


def test_pages_on_by_cursor_in_working_order(api, seeded):
    first = api.get("/callbacks?limit=2").json
    assert len(first["callbacks"]) == 2 and first["next_cursor"]
    rest = api.get(f"/callbacks?limit=2&cursor={first['next_cursor']}").json
    assert rest["next_cursor"] is None
    whole = api.get("/callbacks").json["callbacks"]
    assert [c["id"] for c in first["callbacks"] + rest["callbacks"]] == [c["id"] for c in whole]
    both = api.get(f"/callbacks?offset=1&cursor={first['next_cursor']}")
    assert both.status_code == 400 and "cursor" in str(both.json)
    forged = api.get("/callbacks?cursor=abc")
    assert forged.status_code == 400 and "cursor" in str(forged.json)
