"""Seeded ratings and a direct count of them in Python: the oracle every rollup
test compares against (tests/console/supervisor/test_rating_rollups.py,
tests/sms/test_ratings_summary_rollups.py)."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

from sqlmodel import select

from flows.journey import STAGES
from reports import rating_rollups as rr
from reports.london import london_date
from desk.clock import LONDON
from models.reports import RatingPeriod
from models.surveys import Engagement, Survey

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # the tests' Monday
# an officer under two names, and one who moved borough: cells keep both apart
OFFICERS = [("MP1", "PC 1", "Camden"), ("MP2", "PC 2", "Camden"), ("MP3", "PC 3", "Hackney"),
            ("MP4", "PC 4", "Lambeth"), ("MP4", "PC 4 Smith", "Lambeth"), ("MP5", "PC 5", "Hackney"),
            ("MP5", "PC 5", "Camden")]
FILTERS = [(None, None), ("Camden", None), (None, "MP4"), ("Hackney", "MP5"), ("Nowhere", None)]


def add(db, occurred: datetime, *, officer=OFFICERS[0], rating: int | None = None,
        rated_at: datetime | None = None, expires_at: datetime | None | str = "week", suppressed=False,
        stage: str = "visit", reached_at: datetime | None | str = "soon", channel: str = "sms"):
    """An engagement and its survey written directly (a survey expires a week and an
    hour after the contact unless told otherwise; its invitation reaches the victim two
    minutes after it is sent, unless told otherwise or suppressed)."""
    officer_id, name, borough = officer
    engagement = Engagement(officer_id=officer_id, officer_name=name, borough=borough,
                            victim_phone=f"+4479{random.randrange(10 ** 8):08d}", occurred_at=occurred,
                            created_at=occurred, stage=stage)
    db.add(engagement)
    db.flush()
    invited = occurred + timedelta(hours=1)
    if reached_at == "soon":
        reached_at = invited + timedelta(minutes=2)
    reached_at = None if suppressed else reached_at  # a suppressed invitation is never sent
    db.add(Survey(channel=None if suppressed else channel, reached_at=reached_at, engagement_id=engagement.id, phone=engagement.victim_phone,
                  status="completed" if rating else "awaiting_rating",
                  invitation="suppressed" if suppressed else "scheduled",
                  suppressed_reason="opted_out" if suppressed else None, invited_at=invited,
                  expires_at=invited + timedelta(days=7) if expires_at == "week" else expires_at,
                  rating=rating, rated_at=rated_at if rating else None, rated_via="web" if rating else None))
    return engagement


def seed(db, rng: random.Random, n: int = 400) -> None:
    """N contacts from 20 August to 22 November 2026 (across the clock change on 25
    October), 60% rated up to a week later (late ratings cross month ends), 10%
    suppressed, some never expiring, at every stage of the journey; invitations by text
    and by email, most reaching the victim at once, some a day later (after a rating by the
    link, sometimes), some never; plus contacts on the London edges of months."""
    start = datetime(2026, 8, 20, 0, 0, tzinfo=LONDON)
    for _ in range(n):
        occurred = start + timedelta(minutes=rng.randrange(95 * 24 * 60))
        rated = rng.random() < 0.6
        rated_at = occurred + timedelta(hours=1, minutes=rng.randrange(1, 7 * 24 * 60 - 1))
        reach = rng.random()
        reached_at = "soon" if reach < 0.8 else occurred + timedelta(days=1) if reach < 0.9 else None
        add(db, occurred, officer=rng.choice(OFFICERS), rating=rng.randint(1, 5) if rated else None,
            rated_at=rated_at, suppressed=rng.random() < 0.1, stage=rng.choice(STAGES), reached_at=reached_at,
            channel=rng.choice(("sms", "sms", "sms", "email")))
    # 00:30 on 1 October in London is 23:30 on 30 September in UTC: it is October's
    add(db, datetime(2026, 10, 1, 0, 30, tzinfo=LONDON), rating=5,
        rated_at=datetime(2026, 10, 1, 0, 45, tzinfo=LONDON))
    add(db, datetime(2026, 9, 30, 23, 50, tzinfo=LONDON), rating=1,
        rated_at=datetime(2026, 10, 1, 0, 10, tzinfo=LONDON))
    # an unrated survey that never expires keeps 3 September (and its month) live for good
    add(db, datetime(2026, 9, 3, 12, 0, tzinfo=LONDON), expires_at=None)
    db.commit()


def direct(db, meaning: str, first: date | None, last: date | None, borough=None, officer_id=None) -> Counter:
    """The oracle: every survey read and counted in Python."""
    found: Counter = Counter()
    for survey, engagement in db.exec(select(Survey, Engagement).join(Engagement)).all():
        when = engagement.occurred_at if meaning == rr.CONTACT else survey.rated_at
        if survey.rating is None or when is None:
            continue
        day = london_date(when)
        if (first and day < first) or (last and day > last) or (borough and engagement.borough != borough) \
                or (officer_id and engagement.officer_id != officer_id):
            continue
        found[(engagement.borough, engagement.officer_id, engagement.officer_name, engagement.stage,
               survey.rating)] += 1
    return found


def direct_responses(db, first: date | None, last: date | None, borough=None, officer_id=None) -> Counter:
    """The response rates' oracle: invitations that reached the victim, and answered,
    per (borough, officer, stage, channel), by contact day, read and counted in Python."""
    found: Counter = Counter()
    for survey, engagement in db.exec(select(Survey, Engagement).join(Engagement)).all():
        day = london_date(engagement.occurred_at)
        if survey.reached_at is None or (first and day < first) or (last and day > last) \
                or (borough and engagement.borough != borough) or (officer_id and engagement.officer_id != officer_id):
            continue
        key = (engagement.borough, engagement.officer_id, engagement.stage, survey.channel)
        found[(*key, "reached")] += 1
        found[(*key, "answered")] += survey.rating is not None
    return found


def kept(db, meaning: str, period: str) -> set[date]:
    return {row.start for row in db.exec(select(RatingPeriod).where(
        RatingPeriod.meaning == meaning, RatingPeriod.period == period, RatingPeriod.kept_at.is_not(None))).all()}


def open_days(db, now: datetime) -> set[date]:
    """Contact days with a survey unrated, or whose invitation has not reached the victim,
    that has not expired an hour before NOW."""
    return {london_date(e.occurred_at) for s, e in db.exec(select(Survey, Engagement).join(Engagement)).all()
            if (s.rating is None or s.reached_at is None)
            and (s.expires_at is None or s.expires_at > now - timedelta(hours=1))}


RANGES = [
    (None, None),                                  # all time (the API without from/to)
    (date(2026, 9, 1), date(2026, 10, 31)),        # whole months
    (date(2026, 8, 25), date(2026, 11, 7)),        # starts and ends mid-month
    (date(2026, 10, 1), date(2026, 10, 1)),        # one day, the month's first
    (date(2026, 10, 20), date(2026, 10, 30)),      # across the clock change
    (None, date(2026, 10, 15)), (date(2026, 10, 15), None),
    (date(2026, 11, 10), date(2026, 11, 30)),      # into days not over yet
    (date(2026, 1, 1), date(2026, 3, 31)),         # before any data
    (date(2026, 12, 1), date(2027, 1, 31)),        # after it
]
