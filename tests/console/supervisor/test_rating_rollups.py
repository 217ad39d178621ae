"""Rating rollups: counts read from kept days and months equal a direct count of the
surveys, for both date meanings, every filter and ranges that start and end mid-month;
days settle only when no rating can join them; a late engagement reopens its day."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from reports import rating_periods as periods
from reports import rating_rollups as rr
from reports import ratings
from reports.london import DayRange
from desk.clock import LONDON
from models.reports import RatingCount, RatingPeriod, ResponseCount
from models.surveys import Engagement, Survey, invitation_reached
from tests.rating_data import FILTERS, NOW, OFFICERS, RANGES, add, direct, direct_responses, kept, open_days, seed


def month_cells(rows: list[RatingCount], month: date) -> Counter:
    return Counter({(r.borough, r.officer_id, r.officer_name, r.stage, n): getattr(r, f"rating_{n}")
                    for r in rows if r.start == month for n in range(1, 6) if getattr(r, f"rating_{n}")})


@pytest.mark.parametrize("meaning", [rr.CONTACT, rr.RATED])
def test_counts_equal_a_direct_count_for_every_range_and_filter(db, meaning):
    seed(db, random.Random(7))
    for round_ in ("first sight", "kept"):
        for first, last in RANGES:
            for borough, officer in FILTERS:
                got = rr.counts(db, meaning, first, last, now=NOW, borough=borough, officer_id=officer)
                assert got == direct(db, meaning, first, last, borough, officer), (round_, first, last, borough,
                                                                                   officer)
    months = kept(db, meaning, "month")
    if meaning == rr.RATED:
        assert months == {date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)}
    else:  # 3 September never settles (a survey without expiry)
        assert months == {date(2026, 8, 1), date(2026, 10, 1)}
        assert date(2026, 9, 3) not in kept(db, meaning, "day")
    month_rows = db.exec(select(RatingCount).where(RatingCount.meaning == meaning,
                                                   RatingCount.period == "month")).all()
    assert month_cells(month_rows, date(2026, 10, 1)) == direct(db, meaning, date(2026, 10, 1), date(2026, 10, 31))


def test_contact_days_settle_when_their_last_survey_expires(db):
    """A rating can arrive until the survey expires: a contact day is kept for good only
    after that (and an hour's grace), or once every survey is rated; until then it is
    kept open, its rows counting the ratings given up to an hour before they were
    counted.  A rating day is kept as soon as it is over."""
    contact = datetime(2026, 11, 2, 15, 0, tzinfo=LONDON)  # invited 16:00, expires 9 Nov 16:00
    add(db, contact, rating=4, rated_at=contact + timedelta(hours=2))
    late = add(db, contact + timedelta(minutes=5))
    never = add(db, contact + timedelta(minutes=10))
    db.commit()
    day = date(2026, 11, 2)

    def period():
        return db.exec(select(RatingPeriod).where(RatingPeriod.meaning == rr.CONTACT, RatingPeriod.start == day,
                                                  RatingPeriod.period == "day")).one()

    def rate(engagement, rating, at):
        survey = db.exec(select(Survey).where(Survey.engagement_id == engagement.id)).one()
        survey.rating, survey.rated_at, survey.status = rating, at, "completed"
        db.add(survey)
        db.commit()

    first_look = datetime(2026, 11, 6, 9, 0, tzinfo=LONDON)
    assert sum(rr.counts(db, rr.CONTACT, day, day, now=first_look).values()) == 1
    assert day not in kept(db, rr.CONTACT, "day")
    assert (period().counted_to, period().not_before) == (first_look - timedelta(hours=1),
                                                          datetime(2026, 11, 9, 17, 10, tzinfo=LONDON))
    # rated minutes before the rows were counted (committed late), and after
    rate(late, 2, first_look - timedelta(minutes=30))
    for minutes in (5, 50, 200):  # read from the open rows, then counted again
        now = first_look + timedelta(minutes=minutes)
        assert rr.counts(db, rr.CONTACT, day, day, now=now) == direct(db, rr.CONTACT, day, day), minutes
    assert period().counted_to == first_look + timedelta(minutes=200) - timedelta(hours=1)

    rate(never, 5, datetime(2026, 11, 9, 15, 59, tzinfo=LONDON))  # the last minute, by its rating day
    for now in (datetime(2026, 11, 9, 16, 30, tzinfo=LONDON), datetime(2026, 11, 9, 17, 11, tzinfo=LONDON)):
        assert rr.counts(db, rr.CONTACT, day, day, now=now) == direct(db, rr.CONTACT, day, day)
    assert day in kept(db, rr.CONTACT, "day"), "every survey rated: settled"
    after = datetime(2026, 11, 10, 2, 0, tzinfo=LONDON)
    ninth = date(2026, 11, 9)
    assert rr.counts(db, rr.RATED, ninth, ninth, now=after) == direct(db, rr.RATED, ninth, ninth)
    assert ninth in kept(db, rr.RATED, "day")


def test_a_contact_day_with_an_unrated_survey_settles_at_its_expiry(db):
    contact = datetime(2026, 11, 2, 15, 0, tzinfo=LONDON)  # expires 9 Nov 16:00
    add(db, contact, rating=4, rated_at=contact + timedelta(hours=2))
    add(db, contact + timedelta(minutes=5))
    db.commit()
    day = date(2026, 11, 2)
    for minute, settled in ((4, False), (5, True)):  # expiry 16:05 + an hour's grace
        now = datetime(2026, 11, 9, 17, minute, tzinfo=LONDON)
        assert rr.counts(db, rr.CONTACT, day, day, now=now) == direct(db, rr.CONTACT, day, day)
        assert (day in kept(db, rr.CONTACT, "day")) == settled, now


def test_a_month_is_kept_once_its_last_day_settles(db):
    seed(db, random.Random(3), n=150)
    # a contact on the last day, rated after the month: its survey runs until 7 December 13:00
    add(db, datetime(2026, 11, 30, 12, 0, tzinfo=LONDON), rating=3,
        rated_at=datetime(2026, 12, 3, 9, 0, tzinfo=LONDON))
    add(db, datetime(2026, 11, 30, 12, 0, tzinfo=LONDON))
    db.commit()
    november = (date(2026, 11, 1), date(2026, 11, 30))
    for now, rated_kept, contact_kept in (
            (datetime(2026, 12, 1, 0, 30, tzinfo=LONDON), False, False),  # November over, within the grace
            (datetime(2026, 12, 1, 1, 30, tzinfo=LONDON), True, False),   # the open survey of 30 November
            (datetime(2026, 12, 7, 13, 59, tzinfo=LONDON), True, False),  # expired, not yet an hour ago
            (datetime(2026, 12, 7, 14, 0, tzinfo=LONDON), True, True)):
        for meaning in (rr.CONTACT, rr.RATED):
            assert rr.counts(db, meaning, *november, now=now) == direct(db, meaning, *november)
        assert (date(2026, 11, 1) in kept(db, rr.RATED, "month")) == rated_kept, now
        assert (date(2026, 11, 1) in kept(db, rr.CONTACT, "month")) == contact_kept, now
    rows = db.exec(select(RatingCount).where(RatingCount.meaning == rr.CONTACT, RatingCount.period == "month",
                                             RatingCount.start == date(2026, 11, 1))).all()
    assert month_cells(rows, date(2026, 11, 1)) == direct(db, rr.CONTACT, *november)


def test_a_late_engagement_reopens_its_day_and_month(db):
    seed(db, random.Random(5), n=120)
    october = (date(2026, 10, 1), date(2026, 10, 31))
    assert rr.counts(db, rr.CONTACT, *october, now=NOW) == direct(db, rr.CONTACT, *october)
    assert date(2026, 10, 1) in kept(db, rr.CONTACT, "month")

    # the case system posts a contact of 14 October today; its survey runs until 30 November
    occurred = datetime(2026, 10, 14, 16, 0, tzinfo=LONDON)
    late = add(db, occurred, officer=OFFICERS[2], expires_at=NOW + timedelta(days=7))
    periods.reopen_contact_day(db, occurred, NOW)  # as sms.surveys.invite does
    db.commit()
    assert date(2026, 10, 1) not in kept(db, rr.CONTACT, "month")
    assert date(2026, 10, 14) not in kept(db, rr.CONTACT, "day")
    assert db.exec(select(RatingCount).where(RatingCount.start == date(2026, 10, 14),
                                             RatingCount.meaning == rr.CONTACT)).all() == []

    ranges = (october, (date(2026, 10, 14), date(2026, 10, 14)), (date(2026, 10, 10), date(2026, 11, 5)))
    for first, last in ranges:
        assert rr.counts(db, rr.CONTACT, first, last, now=NOW) == direct(db, rr.CONTACT, first, last)
    assert date(2026, 10, 14) not in kept(db, rr.CONTACT, "day"), "its survey is open"

    survey = db.exec(select(Survey).where(Survey.engagement_id == late.id)).one()
    survey.rating, survey.rated_at = 1, NOW + timedelta(days=1)
    db.add(survey)
    db.commit()
    tomorrow = NOW + timedelta(days=1, hours=1)
    for first, last in ranges:
        assert rr.counts(db, rr.CONTACT, first, last, now=tomorrow) == direct(db, rr.CONTACT, first, last)
    week_later = NOW + timedelta(days=8)
    assert rr.counts(db, rr.CONTACT, *october, now=week_later) == direct(db, rr.CONTACT, *october)
    assert date(2026, 10, 1) in kept(db, rr.CONTACT, "month"), "kept again once the late survey expired"


def test_a_count_that_missed_a_late_engagement_is_not_kept(app, db, monkeypatch):
    """Another request posts a late engagement (and reopens its day) while this one is
    counting that day: the count answers as a live read would, but is not kept."""
    from sqlmodel import Session

    from models.db import engine_for

    seed(db, random.Random(9), n=60)
    occurred = datetime(2026, 10, 20, 11, 0, tzinfo=LONDON)
    counted = periods._by_day

    def meanwhile(db_, meaning, run):
        found = counted(db_, meaning, run)
        with Session(engine_for(app.config["DATABASE_URL"])) as other:
            add(other, occurred, rating=3, rated_at=occurred + timedelta(hours=2), expires_at=NOW - timedelta(days=2))
            periods.reopen_contact_day(other, occurred, NOW)
            other.commit()
        monkeypatch.setattr(periods, "_by_day", counted)
        return found

    monkeypatch.setattr(periods, "_by_day", meanwhile)
    day = date(2026, 10, 20)
    rr.counts(db, rr.CONTACT, day, day, now=NOW)
    assert day not in kept(db, rr.CONTACT, "day"), "its version changed while it was counted"
    assert rr.counts(db, rr.CONTACT, day, day, now=NOW) == direct(db, rr.CONTACT, day, day)
    assert day in kept(db, rr.CONTACT, "day")


def test_a_day_reopened_while_the_kept_rows_are_read_is_read_again(app, db, monkeypatch):
    from sqlmodel import Session

    from models.db import engine_for

    seed(db, random.Random(27), n=80)
    october = (date(2026, 10, 1), date(2026, 10, 31))
    assert rr.counts(db, rr.CONTACT, *october, now=NOW) == direct(db, rr.CONTACT, *october)
    occurred, reading = datetime(2026, 10, 14, 16, 0, tzinfo=LONDON), rr._kept

    def meanwhile(*args):
        found = reading(*args)
        monkeypatch.setattr(rr, "_kept", reading)
        with Session(engine_for(app.config["DATABASE_URL"])) as other:  # a late, already rated contact
            add(other, occurred, rating=2, rated_at=NOW - timedelta(days=3), expires_at=NOW - timedelta(days=2))
            periods.reopen_contact_day(other, occurred, NOW)
            other.commit()
        return found

    monkeypatch.setattr(rr, "_kept", meanwhile)
    assert rr.counts(db, rr.CONTACT, *october, now=NOW) == direct(db, rr.CONTACT, *october)


def test_a_view_keeps_a_bounded_number_of_days(db):
    seed(db, random.Random(11), n=200)
    first, last = date(2026, 8, 20), date(2026, 11, 20)
    assert rr.counts(db, rr.RATED, first, last, now=NOW, keep_limit=10) == direct(db, rr.RATED, first, last)
    assert len(kept(db, rr.RATED, "day")) == 10
    assert rr.counts(db, rr.RATED, first, last, now=NOW, borough="Camden") == \
        direct(db, rr.RATED, first, last, "Camden")


def old_rating_counts(db, filters: ratings.RatingFilters) -> list[tuple]:
    """The console's counts as computed before the rollups (one GROUP BY over the range)."""
    from sqlalchemy import func

    query = ratings._scoped(ratings._joined(Engagement.borough, Engagement.officer_id,
                                            func.max(Engagement.officer_name), Survey.rating, func.count()),
                            filters).group_by(Engagement.borough, Engagement.officer_id, Survey.rating)
    return sorted((b, o, n, r, int(c)) for b, o, n, r, c in db.exec(query).all())


def test_the_console_counts_are_the_same_as_before(db):
    seed(db, random.Random(13))
    for first, last in ((date(2026, 8, 1), date(2026, 11, 23)), (date(2026, 9, 14), date(2026, 10, 9)),
                        (date(2026, 11, 1), date(2026, 11, 23))):
        for borough, officer in FILTERS:
            filters = ratings.RatingFilters(DayRange(first, last), borough=borough, officer_id=officer)
            for _ in range(2):  # first sight, then kept
                counts = ratings.rating_counts(db, filters, now=NOW)
                assert sorted(counts.cells) == old_rating_counts(db, filters)
    officer = {d.key: d for d in ratings.rating_counts(db, ratings.RatingFilters(
        DayRange(date(2026, 8, 1), date(2026, 11, 23))), now=NOW).by("officer")}
    assert officer["MP4"].label == "PC 4 Smith (MP4)", "two names: the greater, as max() gave"


def old_weekly_trend(db, filters: ratings.RatingFilters) -> list[tuple]:
    """The trend as computed before the rollups: one pass over the range's ratings."""
    from sqlalchemy import func

    from reports.london import as_date, day_of, week_start

    days = filters.days
    day = day_of(db, Survey.rated_at, days.start, days.end).label("day")
    sums: dict[date, list[int]] = {}
    for value, count, total in db.exec(ratings._scoped(ratings._joined(day, func.count(), func.sum(Survey.rating)),
                                                       filters).group_by(day)).all():
        acc = sums.setdefault(week_start(as_date(value)), [0, 0])
        acc[0], acc[1] = acc[0] + int(count), acc[1] + int(total or 0)
    return sorted((week, count, total) for week, (count, total) in sums.items())


def test_the_weekly_trend_reads_kept_days_and_is_the_same_as_before(db):
    seed(db, random.Random(19))
    ranges = ((date(2026, 8, 1), date(2026, 11, 23)), (date(2026, 9, 16), date(2026, 10, 27)))
    for keep in (False, True):
        if keep:  # the page counts (and so keeps) before it draws the trend
            rr.counts(db, rr.RATED, date(2026, 8, 1), date(2026, 11, 23), now=NOW, keep_limit=None)
        for first, last in ranges:
            for borough, officer in FILTERS:
                filters = ratings.RatingFilters(DayRange(first, last), borough=borough, officer_id=officer)
                trend = ratings.weekly_trend(db, filters)
                assert [(p.week, p.count, round(p.mean * p.count)) for p in trend if p.count] == \
                    old_weekly_trend(db, filters), (keep, first, last, borough, officer)
                assert [p.week for p in trend][0] == first - timedelta(days=first.weekday())
    assert rr.kept_day_totals(db, rr.RATED, date(2026, 11, 22), date(2026, 11, 23)).keys() == {date(2026, 11, 22)}


def test_the_nightly_job_keeps_every_settled_day_and_month(app, db, clock, run_workers):
    from workers.periodic import PERIODIC
    from desk.queues import queue
    from workers.rating_rollups import keep_settled_ratings

    assert PERIODIC["rating-rollups"] == ("workers.rating_rollups:keep_settled_ratings", 24 * 3600)
    seed(db, random.Random(17), n=200)
    queue(app.config, "default").enqueue(keep_settled_ratings)
    run_workers()
    rated_days = kept(db, rr.RATED, "day")
    assert min(rated_days) == date(2026, 8, 1) and max(rated_days) == date(2026, 11, 22)
    assert len(rated_days) == (date(2026, 11, 22) - date(2026, 8, 1)).days + 1
    assert kept(db, rr.RATED, "month") == {date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)}
    assert kept(db, rr.CONTACT, "month") == {date(2026, 8, 1), date(2026, 10, 1)}
    over = {date(2026, 8, 1) + timedelta(days=n) for n in range((date(2026, 11, 22) - date(2026, 8, 1)).days + 1)}
    assert kept(db, rr.CONTACT, "day") == over - open_days(db, NOW), "every day with no survey left open"
    with app.app_context():
        assert keep_settled_ratings() == {rr.CONTACT: 0, rr.RATED: 0}, "a second run has nothing to do"
    for meaning in (rr.CONTACT, rr.RATED):
        assert rr.counts(db, meaning, None, None, now=NOW, keep_limit=0) == direct(db, meaning, None, None)
    got, want = rr.response_counts(db, None, None, now=NOW, keep_limit=0), direct_responses(db, None, None)
    assert got == want, {k: (got[k], want[k]) for k in set(got) | set(want) if got[k] != want[k]}
    assert db.exec(select(ResponseCount).where(ResponseCount.period == "month")).first() is not None


def test_a_day_with_a_rating_outside_1_to_5_is_counted_live(db):
    """Only a hand-written row can hold one (the SMS parser and the web form take 1-5);
    a kept row has no column for it, so its day is never kept."""
    add(db, datetime(2026, 11, 3, 9, 0, tzinfo=LONDON), rating=7, rated_at=datetime(2026, 11, 3, 10, 0, tzinfo=LONDON))
    add(db, datetime(2026, 11, 4, 9, 0, tzinfo=LONDON), rating=2, rated_at=datetime(2026, 11, 4, 10, 0, tzinfo=LONDON))
    db.commit()
    for meaning in (rr.CONTACT, rr.RATED):
        for _ in range(2):
            assert rr.counts(db, meaning, None, None, now=NOW) == direct(db, meaning, None, None)
        assert kept(db, meaning, "day") >= {date(2026, 11, 4)} and date(2026, 11, 3) not in kept(db, meaning, "day")


@pytest.mark.parametrize("meaning", [rr.CONTACT, rr.RATED])
def test_ratings_by_stage_from_the_kept_counts_equal_a_live_count(db, meaning):
    from reports import journey

    seed(db, random.Random(11))
    first, last = date(2026, 9, 1), date(2026, 11, 22)
    start, end = DayRange(first, last).start, DayRange(first, last).end
    for borough, officer in FILTERS:
        live = journey.ratings_by_stage(db, journey.Scope(start, end, borough, officer,
                                                          by_rated_at=meaning == rr.RATED))
        for _ in ("first sight", "kept"):
            cells = rr.counts(db, meaning, first, last, now=NOW, borough=borough, officer_id=officer)
            assert [(s.stage, s.counts) for s in journey.stage_ratings(cells)] == \
                [(s.stage, s.counts) for s in live]
    assert len({row.stage for row in db.exec(select(RatingCount)).all()}) > 3, "kept per stage"


# ------------------------------------------------------------------ response rates


def test_response_counts_equal_a_direct_count_for_every_range_and_filter(db):
    """Invitations that reached the victim, and answered, per contact day: the kept days
    and months (the contact periods the ratings keep) plus open days and live ones equal
    a count of every survey, before and after the days are kept."""
    seed(db, random.Random(23))
    for round_ in ("first sight", "kept"):
        for first, last in RANGES:
            for borough, officer in FILTERS:
                got = rr.response_counts(db, first, last, now=NOW, borough=borough, officer_id=officer)
                assert got == direct_responses(db, first, last, borough, officer), (round_, first, last, borough,
                                                                                    officer)
    october = db.exec(select(ResponseCount).where(ResponseCount.period == "month",
                                                  ResponseCount.start == date(2026, 10, 1))).all()
    assert october, "October settled: its response counts are kept as a month"
    from_rows = Counter()
    for row in october:
        from_rows[(row.borough, row.officer_id, row.stage, row.channel, "reached")] += row.reached
        from_rows[(row.borough, row.officer_id, row.stage, row.channel, "answered")] += row.answered
    assert from_rows == direct_responses(db, date(2026, 10, 1), date(2026, 10, 31))
    assert {row.channel for row in october} == {"sms", "email"}


def test_an_open_day_adds_invitations_reached_and_ratings_given_since_it_was_counted(db):
    """A contact day still open is read from its rows (counted an hour before they were
    written) plus what changed since: an invitation that reached the victim later (rated
    before or after) and a rating to an invitation that had reached them."""
    contact = datetime(2026, 11, 2, 15, 0, tzinfo=LONDON)  # invited 16:00, expires 9 Nov 16:00
    add(db, contact, rating=4, rated_at=contact + timedelta(hours=2))
    unreached_rated = add(db, contact + timedelta(minutes=1), rating=5, rated_at=contact + timedelta(hours=3),
                          reached_at=None)
    unreached = add(db, contact + timedelta(minutes=2), reached_at=None)
    reached = add(db, contact + timedelta(minutes=3))
    add(db, contact + timedelta(minutes=4), channel="email")
    db.commit()
    day = date(2026, 11, 2)
    first_look = datetime(2026, 11, 6, 9, 0, tzinfo=LONDON)
    assert rr.response_counts(db, day, day, now=first_look) == direct_responses(db, day, day)
    period = db.exec(select(RatingPeriod).where(RatingPeriod.meaning == rr.CONTACT, RatingPeriod.start == day,
                                                RatingPeriod.period == "day")).one()
    counted_to = period.counted_to
    assert counted_to == first_look - timedelta(hours=1) and period.kept_at is None

    def survey(engagement):
        return db.exec(select(Survey).where(Survey.engagement_id == engagement.id)).one()

    for engagement, values in ((unreached_rated, {"reached_at": first_look + timedelta(minutes=5)}),
                               (unreached, {"reached_at": first_look + timedelta(minutes=6),
                                            "rating": 2, "rated_at": first_look + timedelta(minutes=9)}),
                               (reached, {"rating": 3, "rated_at": first_look + timedelta(minutes=7)})):
        row = survey(engagement)
        for name, value in values.items():
            setattr(row, name, value)
        db.add(row)
    db.commit()
    now = first_look + timedelta(minutes=30)  # within the hour: the open rows are read, not counted again
    got = rr.response_counts(db, day, day, now=now)
    assert got == direct_responses(db, day, day)
    assert got[("Camden", "MP1", "visit", "sms", "reached")] == 4
    assert got[("Camden", "MP1", "visit", "sms", "answered")] == 4
    db.expire_all()
    assert db.get(RatingPeriod, (rr.CONTACT, "day", day)).counted_to == counted_to, "read, not counted again"
    settled = datetime(2026, 11, 9, 17, 10, tzinfo=LONDON)
    assert rr.response_counts(db, day, day, now=settled) == direct_responses(db, day, day)
    assert day in kept(db, rr.CONTACT, "day")


def test_a_rated_survey_whose_invitation_has_not_reached_the_victim_keeps_its_day_open(db):
    """Rated on the web before the text arrived: the delivery report may still come until
    the survey expires, so the day is not settled before then."""
    contact = datetime(2026, 11, 2, 15, 0, tzinfo=LONDON)  # expires 9 Nov 16:00
    add(db, contact, rating=4, rated_at=contact + timedelta(hours=2), reached_at=None)
    db.commit()
    day = date(2026, 11, 2)
    for now, settled in ((datetime(2026, 11, 9, 16, 59, tzinfo=LONDON), False),  # expiry + an hour's grace
                         (datetime(2026, 11, 9, 17, 0, tzinfo=LONDON), True)):
        assert rr.response_counts(db, day, day, now=now) == direct_responses(db, day, day)
        assert (day in kept(db, rr.CONTACT, "day")) == settled, now


def test_an_invitation_reaching_the_victim_after_the_survey_expired_is_not_counted(db):
    contact = datetime(2026, 11, 2, 15, 0, tzinfo=LONDON)  # expires 9 Nov 16:00
    engagement = add(db, contact, reached_at=None)
    db.commit()
    survey_id = db.exec(select(Survey.id).where(Survey.engagement_id == engagement.id)).one()
    assert invitation_reached("case_update", str(survey_id), contact) is None, "not an invitation"
    db.execute(invitation_reached("survey_invite", str(survey_id), datetime(2026, 11, 9, 16, 0, tzinfo=LONDON)))
    assert db.get(Survey, survey_id).reached_at is None, "expired"
    at = datetime(2026, 11, 9, 15, 59, tzinfo=LONDON)
    db.execute(invitation_reached("survey_invite", str(survey_id), at))
    db.execute(invitation_reached("survey_invite", str(survey_id), at + timedelta(seconds=30)))
    db.commit()
    db.expire_all()
    assert db.get(Survey, survey_id).reached_at == at, "the first report only"
