"""POST /api/v1/engagements schedules the survey invitation; GET /surveys and
/ratings/summary report on them."""
from __future__ import annotations

from datetime import datetime

import pytest
from desk import settings
from sqlmodel import select

from desk.clock import LONDON, FixedClock
from models.db import session
from models.outbox import OutboundMessage, record_opt_out
from models.surveys import Survey
from tests.support.cases import ENGAGEMENT
from tests.support.numbers import VICTIM


def invitation(app, survey_id):
    with app.app_context():
        return session().exec(select(OutboundMessage).where(
            OutboundMessage.purpose == "survey_invite", OutboundMessage.dedupe_key == str(survey_id))).first()


def test_invitation_is_scheduled_after_the_delay(app, api, clock, engage):
    created = engage()
    assert created["invitation"] == "scheduled"
    assert datetime.fromisoformat(created["send_at"]) == datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)
    message = invitation(app, created["survey_id"])
    assert message.to_number == VICTIM and message.status == "pending"
    assert message.not_before == datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)
    assert "PC 4521 Lambeth" in message.body and "Mon 23 Nov" in message.body
    assert created["survey_link"].startswith("https://desk.example.org/s/")


@pytest.mark.parametrize("now, send_at", [
    (datetime(2026, 11, 23, 20, 30), datetime(2026, 11, 24, 8, 0)),   # +60 min lands in quiet hours
    (datetime(2026, 11, 23, 23, 45), datetime(2026, 11, 24, 8, 0)),
    (datetime(2026, 11, 24, 6, 0), datetime(2026, 11, 24, 8, 0)),
    (datetime(2026, 11, 24, 7, 0), datetime(2026, 11, 24, 8, 0)),
    (datetime(2026, 11, 24, 7, 30), datetime(2026, 11, 24, 8, 30)),
    (datetime(2026, 11, 23, 19, 59), datetime(2026, 11, 23, 20, 59)),
])
def test_never_inside_quiet_hours(app, api, now, send_at):
    app.config["CLOCK"] = FixedClock(now.replace(tzinfo=LONDON))
    response = api.post("/engagements", {**ENGAGEMENT, "occurred_at": "2026-11-23T09:30:00+00:00"})
    assert response.status_code == 201
    assert datetime.fromisoformat(response.json["send_at"]) == send_at.replace(tzinfo=LONDON)
    assert invitation(app, response.json["survey_id"]).not_before == send_at.replace(tzinfo=LONDON)


def test_delay_and_quiet_hours_are_configurable(app, api, clock):
    settings.override(app.config, SURVEY_DELAY_MINUTES=5, SMS_QUIET_HOURS="10:00-12:00")
    response = api.post("/engagements", ENGAGEMENT)
    assert datetime.fromisoformat(response.json["send_at"]) == datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


def test_same_engagement_twice_is_one_survey(app, api, clock):
    first = api.post("/engagements", ENGAGEMENT)
    again = api.post("/engagements", {**ENGAGEMENT, "victim_phone": "+447911123456",
                                       "occurred_at": "2026-11-23T09:30:00Z"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["survey_id"] == first.json["survey_id"]
    with app.app_context():
        assert len(session().exec(select(Survey)).all()) == 1
        assert len(session().exec(select(OutboundMessage)).all()) == 1


def test_idempotency_key(app, api, client, clock):
    headers = {**api.headers, "Idempotency-Key": "case-system-42"}
    first = client.post("/api/v1/engagements", json=ENGAGEMENT, headers=headers)
    again = client.post("/api/v1/engagements", json=ENGAGEMENT, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    clash = client.post("/api/v1/engagements", json={**ENGAGEMENT, "officer_id": "MP9"}, headers=headers)
    assert clash.status_code == 409 and "Idempotency-Key" in clash.json["error"]


def test_opted_out_number_gets_no_invitation(app, api, clock):
    with app.app_context():
        db = session()
        record_opt_out(db, VICTIM, source="test")
        db.commit()
    response = api.post("/engagements", ENGAGEMENT)
    assert response.status_code == 201
    assert response.json["invitation"] == "suppressed" and response.json["reason"] == "opted_out"
    assert "opted out" in response.json["explanation"]
    assert invitation(app, response.json["survey_id"]) is None, "no message row at all"


def test_case_saying_sms_is_unsafe_by_phone_or_by_crime_reference(app, api, clock, case):
    case(phone="07911 123458", reference="5201234/26", sms_allowed=False)  # an older number on the case
    by_reference = api.post("/engagements", ENGAGEMENT)
    assert by_reference.json["invitation"] == "suppressed" and by_reference.json["reason"] == "sms_unsafe"
    case(phone="07911 123457", reference="5207777/26", sms_allowed=False)
    by_phone = api.post("/engagements", {**ENGAGEMENT, "victim_phone": "07911 123457", "crime_reference": None})
    assert by_phone.json["invitation"] == "suppressed" and by_phone.json["reason"] == "sms_unsafe"
    with app.app_context():
        assert session().exec(select(OutboundMessage)).all() == []


def test_a_landline_gets_no_invitation(app, api, clock):
    response = api.post("/engagements", {**ENGAGEMENT, "victim_phone": "020 7946 0123"})
    assert response.status_code == 201
    assert (response.json["invitation"], response.json["reason"]) == ("suppressed", "not_a_mobile")
    assert invitation(app, response.json["survey_id"]) is None


@pytest.mark.parametrize("change, field", [
    ({"victim_phone": "12345"}, "victim_phone"),
    ({"victim_phone": None}, "victim_phone"),
    ({"officer_id": ""}, "officer_id"),
    ({"officer_name": "   "}, "officer_name"),
    ({"officer_name": "x" * 61}, "officer_name"),
    ({"borough": None}, "borough"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"occurred_at": "2027-01-01T10:00:00Z"}, "occurred_at"),
    ({"crime_reference": "ABC"}, "crime_reference"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_engagements_are_422_naming_the_field(api, clock, change, field):
    response = api.post("/engagements", {**ENGAGEMENT, **change})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]


def test_engagements_need_a_token(client, clock):
    assert client.post("/api/v1/engagements", json=ENGAGEMENT).status_code == 401
    assert client.get("/api/v1/surveys").status_code == 401
    assert client.get("/api/v1/ratings/summary").status_code == 401


def rate(app, survey_id, rating, comment=None):
    with app.app_context():
        db = session()
        survey = db.get(Survey, survey_id)
        survey.rating, survey.comment, survey.status = rating, comment, "completed"
        db.add(survey)
        db.commit()


@pytest.fixture
def rated(app, api, clock):
    """Four rated contacts across two boroughs and three officers, plus one unrated."""
    made = []
    for officer, name, borough, day, rating in [
        ("MP1", "PC 1001", "Lambeth", 20, 5), ("MP1", "PC 1001", "Lambeth", 21, 4),
        ("MP2", "PC 1002", "Lambeth", 21, 2), ("MP3", "PC 1003", "Camden", 22, 4),
        ("MP3", "PC 1003", "Camden", 23, None),
    ]:
        response = api.post("/engagements", {**ENGAGEMENT, "officer_id": officer, "officer_name": name,
                                             "borough": borough,
                                             "occurred_at": f"2026-11-{day}T09:00:00+00:00"})
        if rating:
            rate(app, response.json["survey_id"], rating, "kind" if rating == 5 else None)
        made.append(response.json["survey_id"])
    return made


def test_survey_listing_and_filters(api, rated):
    everything = api.get("/surveys?count=true").json
    assert everything["total"] == 5 and everything["next_cursor"] is None
    assert "total" not in api.get("/surveys").json, "counting is a scan, done only when asked"
    assert [s["rating"] for s in everything["surveys"]] == [None, 4, 2, 4, 5]  # newest contact first
    assert "victim_phone" not in everything["surveys"][0], "supervisors don't need the number"
    lambeth = api.get("/surveys?borough=Lambeth").json["surveys"]
    assert sorted(s["rating"] for s in lambeth) == [2, 4, 5]
    agent_a = api.get("/surveys?officer_id=MP1").json["surveys"]
    assert [(s["officer_name"], s["rating"], s["comment"]) for s in agent_a] == [("PC 1001", 4, None), ("PC 1001", 5, "kind")]
    window = api.get("/surveys?from=2026-11-21&to=2026-11-22").json["surveys"]
    assert sorted(s["rating"] for s in window) == [2, 4, 4]
    pages, cursor = [], None
    while True:  # pages of 2 follow each other with no gap and no repeat
        page = api.get("/surveys?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        pages.append([s["rating"] for s in page["surveys"]])
        if not (cursor := page["next_cursor"]):
            break
    assert pages == [[None, 4], [2, 4], [5]]
    lambeth_pages = api.get("/surveys?borough=Lambeth&limit=2").json
    rest = api.get(f"/surveys?borough=Lambeth&limit=2&cursor={lambeth_pages['next_cursor']}").json
    assert len(lambeth_pages["surveys"]) == 2 and len(rest["surveys"]) == 1 and rest["next_cursor"] is None


def test_ratings_summary(api, rated):
    summary = api.get("/ratings/summary").json
    assert summary["count"] == 4 and summary["mean"] == 3.75
    assert summary["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}
    assert summary["boroughs"] == [
        {"borough": "Camden", "count": 1, "mean": 4.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}},
        {"borough": "Lambeth", "count": 3, "mean": 3.67, "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}},
    ]
    assert [(o["officer_id"], o["officer_name"], o["count"], o["mean"]) for o in summary["officers"]] == [
        ("MP1", "PC 1001", 2, 4.5), ("MP2", "PC 1002", 1, 2.0), ("MP3", "PC 1003", 1, 4.0)]
    camden = api.get("/ratings/summary?borough=Camden&from=2026-11-22").json
    assert camden["count"] == 1 and camden["mean"] == 4.0
    empty = api.get("/ratings/summary?borough=Nowhere").json
    nothing = {"count": 0, "mean": None, "distribution": {str(i): 0 for i in range(1, 6)}}
    assert empty == {**nothing, "boroughs": [], "officers": [],
                     "stages": [{"stage": stage, **nothing} for stage in (
                         "report", "visit", "investigation_update", "charge_decision", "court_outcome",
                         "case_closed")],
                     "response_rate": {"delivered": 0, "answered": 0, "rate": None}, "response_rates": []}


@pytest.mark.parametrize("query, field", [
    ("from=yesterday", "from"), ("to=2026-13-01", "to"), ("from=2026-11-23&to=2026-11-01", "query"),
    ("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=abc", "cursor"), ("offset=5", "offset"),
    ("officer=MP1", "officer"),
])
def test_bad_filters_are_400(api, clock, query, field):
    for path in ("/surveys", "/ratings/summary"):
        if path == "/ratings/summary" and field in ("limit", "cursor", "offset"):
            continue
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.json)
        assert field in response.json["error"]


def test_endpoints_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"post"} <= set(paths["/engagements"])
    assert "get" in paths["/surveys"] and "get" in paths["/ratings/summary"]
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").json)
