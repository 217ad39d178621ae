"""GET /api/v1/ratings/summary over kept days and months answers exactly what one
GROUP BY over the range answered before, through the real routes: late ratings (by
text and on the web), suppressed surveys rated by their link, engagements posted
late for days already kept, and retention."""
from __future__ import annotations

from desk import settings

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import select

from reports import rating_rollups as rr
from desk.clock import LONDON
from models.db import session
from models.outbox import record_opt_out
from models.surveys import Engagement, Survey
from tests.rating_data import FILTERS, RANGES, kept, seed
from tests.sms.test_web import nonce, path_of
from tests.support.numbers import VICTIM


def old_summary(db, first: date | None, last: date | None, borough=None, officer_id=None) -> dict:
    """The summary as sms/api.py computed it before the rollups: one GROUP BY."""
    query = (select(Engagement.borough, Engagement.officer_id, Engagement.officer_name, Survey.rating,
                    func.count(Survey.id))
             .join(Engagement, Survey.engagement_id == Engagement.id).where(Survey.rating.is_not(None))
             .group_by(Engagement.borough, Engagement.officer_id, Engagement.officer_name, Survey.rating))
    if first:
        query = query.where(Engagement.occurred_at >= datetime.combine(first, time(), LONDON))
    if last:
        query = query.where(Engagement.occurred_at < datetime.combine(last + timedelta(days=1), time(), LONDON))
    if borough:
        query = query.where(Engagement.borough == borough)
    if officer_id:
        query = query.where(Engagement.officer_id == officer_id)

    def summary(counts):
        total = sum(counts.values())
        return {"count": total, "mean": round(sum(r * n for r, n in counts.items()) / total, 2) if total else None,
                "distribution": {str(r): counts.get(r, 0) for r in range(1, 6)}}

    overall, boroughs, officers = {}, {}, {}
    for b, o, n, r, c in db.exec(query).all():
        overall[r] = overall.get(r, 0) + c
        boroughs.setdefault(b, {})[r] = boroughs.setdefault(b, {}).get(r, 0) + c
        officer = officers.setdefault(o, {"names": set(), "counts": {}})
        officer["names"].add(n)
        officer["counts"][r] = officer["counts"].get(r, 0) + c
    return {**summary(overall),
            "boroughs": [{"borough": name, **summary(c)} for name, c in sorted(boroughs.items())],
            "officers": [{"officer_id": oid, "officer_name": sorted(o["names"])[0], **summary(o["counts"])}
                         for oid, o in sorted(officers.items())]}


def query_string(first, last, borough, officer_id) -> str:
    params = {"from": first, "to": last, "borough": borough, "officer_id": officer_id}
    return "&".join(f"{k}={v}" for k, v in params.items() if v)


def check(app, api, first=None, last=None, borough=None, officer_id=None) -> dict:
    got = api.get(f"/ratings/summary?{query_string(first, last, borough, officer_id)}")
    assert got.status_code == 200, got.json
    with app.app_context():
        expected = old_summary(session(), first, last, borough, officer_id)
        assert {key: got.json[key] for key in expected} == expected, (first, last, borough, officer_id)
    # the split by stage (counted live) covers the same ratings
    assert sum(stage["count"] for stage in got.json["stages"]) == got.json["count"]
    return got.json


def contact_kept(app, period: str) -> set[date]:
    with app.app_context():
        return kept(session(), rr.CONTACT, period)


def test_every_range_and_filter_answers_as_before(app, api, clock):
    with app.app_context():
        seed(session(), random.Random(21))
    for _ in range(2):  # first sight, then from the kept days and months
        for first, last in RANGES:
            for borough, officer_id in FILTERS:
                check(app, api, first, last, borough, officer_id)
    assert contact_kept(app, "month") == {date(2026, 8, 1), date(2026, 10, 1)}


def test_a_late_rating_by_text_counts_on_its_contact_day_until_the_survey_expires(app, api, clock, engage,
                                                                                   deliver, texter):
    yesterday = date(2026, 11, 22)
    engage(occurred_at="2026-11-22T16:00:00+00:00")
    assert check(app, api, yesterday, yesterday)["count"] == 0
    assert yesterday not in contact_kept(app, "day"), "the survey is open for a week"
    clock.advance(days=2)
    deliver()
    texter().send("4")
    assert check(app, api, yesterday, yesterday)["count"] == 1
    clock.advance(days=6)  # past the expiry (invited 23 Nov 11:00, so 30 Nov 11:00) and the grace
    assert check(app, api, yesterday, yesterday)["count"] == 1
    assert yesterday in contact_kept(app, "day")
    assert check(app, api, date(2026, 11, 1), date(2026, 11, 30))["count"] == 1


def test_a_suppressed_survey_rated_by_its_link_counts(app, api, client, clock, engage):
    with app.app_context():
        db = session()
        record_opt_out(db, VICTIM, source="test")
        db.commit()
    created = engage(occurred_at="2026-11-20T09:00:00+00:00")
    assert created["invitation"] == "suppressed"
    path = path_of(created["survey_link"])
    clock.advance(days=3)
    client.post(path, data={"nonce": nonce(client.get(path)), "rating": "2"})
    assert check(app, api, date(2026, 11, 20), date(2026, 11, 20))["distribution"]["2"] == 1
    clock.advance(days=5)
    assert check(app, api, date(2026, 11, 1), date(2026, 11, 20))["count"] == 1
    assert date(2026, 11, 20) in contact_kept(app, "day")


def test_an_engagement_posted_late_reopens_the_kept_day_and_month(app, api, client, clock, engage):
    settings.override(app.config, SURVEY_CONTACT_MAX_AGE_DAYS=100)  # weeks late is still accepted here
    with app.app_context():
        seed(session(), random.Random(23), n=150)
    october = (date(2026, 10, 1), date(2026, 10, 31))
    before = check(app, api, *october)
    assert date(2026, 10, 1) in contact_kept(app, "month")

    created = engage(occurred_at="2026-10-14T15:00:00+00:00", officer_id="MP3")  # posted weeks late
    assert date(2026, 10, 1) not in contact_kept(app, "month")
    assert date(2026, 10, 14) not in contact_kept(app, "day")
    path = path_of(created["survey_link"])
    client.post(path, data={"nonce": nonce(client.get(path)), "rating": "1"})
    after = check(app, api, *october)
    assert after["count"] == before["count"] + 1
    check(app, api, date(2026, 10, 14), date(2026, 10, 14), officer_id="MP3")
    clock.advance(days=8)
    check(app, api, *october)
    assert date(2026, 10, 1) in contact_kept(app, "month"), "kept again once its survey expired"


def test_retention_changes_no_counted_field(app, api, client, clock, engage):
    """Retention blanks phones, references and comments, never a counted field; an old
    engagement posted again afterwards (its phone no longer matches) reopens its day."""
    from services.retention import anonymise_old_records

    settings.override(app.config, SURVEY_CONTACT_MAX_AGE_DAYS=1000)  # the old engagement is posted again below
    clock.current = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)  # over 400 days before the tests' Monday
    old = engage(occurred_at="2025-06-02T08:00:00+00:00")
    path = path_of(old["survey_link"])
    client.post(path, data={"nonce": nonce(client.get(path)), "rating": "5", "comment": "Very kind"})
    clock.current = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    with app.app_context():
        seed(session(), random.Random(25), n=100)
    june = (date(2025, 6, 1), date(2025, 6, 30))
    before = [check(app, api, *june), check(app, api)]
    assert date(2025, 6, 1) in contact_kept(app, "month")
    with app.app_context():
        assert anonymise_old_records()["surveys"] == 1
    assert [check(app, api, *june), check(app, api)] == before

    again = engage(occurred_at="2025-06-02T08:00:00+00:00")
    assert again["survey_id"] != old["survey_id"], "the anonymised engagement no longer matches"
    assert date(2025, 6, 1) not in contact_kept(app, "month")
    assert check(app, api, *june) == before[0]
