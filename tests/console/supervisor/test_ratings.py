"""Ratings: distribution by borough and officer, weekly trend, officers to recognise,
and comments in keyset pages."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports import ratings
from reports.london import DayRange
from tests.support.history import add_rating, london

WEEK = DayRange(date(2026, 11, 9), date(2026, 11, 22))  # two ISO weeks


def rate(db, officer, borough, values, *, day=16, comment=None):
    for i, value in enumerate(values):
        add_rating(db, officer=officer, borough=borough, rating=value,
                   rated_at=london(2026, 11, day, 10, 0) + timedelta(minutes=i), comment=comment)


def four_officers(db):
    rate(db, "MP001", "Camden", [5] * 10)                    # 10 ratings, mean 5.0: recognised
    rate(db, "MP002", "Camden", [5] * 9)                     # too few ratings
    rate(db, "MP003", "Hackney", [5] * 4 + [4] * 6)          # mean 4.4: just short
    rate(db, "MP004", "Hackney", [5] * 6 + [4] * 6, day=10)  # mean 4.5 exactly: recognised
    add_rating(db, officer="MP005", borough="Hackney", rating=None, rated_at=london(2026, 11, 16, 9))  # unanswered
    rate(db, "MP006", "Camden", [1], day=2)                  # before the range


def test_distribution_by_borough_and_officer(db):
    four_officers(db)
    counts = ratings.rating_counts(db, ratings.RatingFilters(WEEK))
    boroughs = {d.key: d for d in counts.by("borough")}
    assert boroughs["Camden"].counts == {1: 0, 2: 0, 3: 0, 4: 0, 5: 19}
    assert boroughs["Hackney"].counts == {1: 0, 2: 0, 3: 0, 4: 12, 5: 10}
    assert boroughs["Hackney"].mean == pytest.approx((12 * 4 + 10 * 5) / 22)
    assert counts.overall().total == 41
    officers = ratings.distribution(db, ratings.RatingFilters(WEEK, borough="Hackney"), "officer")
    assert [(o.key, o.total, o.borough) for o in officers] == [("MP004", 12, "Hackney"), ("MP003", 10, "Hackney")]
    assert officers[1].mean == pytest.approx(4.4)


def test_exceptional_officers_need_both_the_count_and_the_mean(db):
    four_officers(db)
    found = ratings.exceptional_officers(db, ratings.RatingFilters(WEEK), min_count=10, min_mean=4.5)
    assert [(o.officer_id, o.count, round(o.mean, 2)) for o in found] == [("MP001", 10, 5.0), ("MP004", 12, 4.5)]
    fewer = ratings.exceptional_officers(db, ratings.RatingFilters(WEEK), min_count=9, min_mean=4.5)
    assert [o.officer_id for o in fewer] == ["MP001", "MP002", "MP004"]
    assert ratings.exceptional_officers(db, ratings.RatingFilters(WEEK, borough="Camden"), 10, 4.5)[0].name == "PC MP001"


def test_weekly_trend(db):
    four_officers(db)
    trend = ratings.weekly_trend(db, ratings.RatingFilters(WEEK))
    assert [(p.week, p.count) for p in trend] == [(date(2026, 11, 9), 12), (date(2026, 11, 16), 29)]
    assert trend[0].mean == pytest.approx(4.5)
    assert trend[1].mean == pytest.approx((19 * 5 + 4 * 5 + 6 * 4) / 29)
    camden = ratings.weekly_trend(db, ratings.RatingFilters(WEEK, officer_id="MP001"))
    assert [(p.count, p.mean) for p in camden] == [(0, None), (10, 5.0)]


def test_comments_newest_first_in_pages(db):
    for i in range(5):
        add_rating(db, officer="MP001", borough="Camden", rating=4, rated_at=london(2026, 11, 16, 10, i),
                   comment=f"comment {i}")
    add_rating(db, officer="MP002", borough="Hackney", rating=2, rated_at=london(2026, 11, 16, 11, 0),
               comment="elsewhere")
    filters = ratings.RatingFilters(WEEK, borough="Camden")
    seen, cursor = [], None
    while True:
        page = ratings.comments(db, filters, cursor, limit=2)
        seen += [c.comment for c in page.comments]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [f"comment {i}" for i in (4, 3, 2, 1, 0)]
    with pytest.raises(ValueError):
        ratings.comments(db, filters, "garbage")


def test_export_rows_and_boroughs(db):
    four_officers(db)
    rows = list(ratings.iter_ratings(db, ratings.RatingFilters(WEEK, officer_id="MP004"), chunk=5))
    assert len(rows) == 12 and len({r.survey_id for r in rows}) == 12
    assert rows == sorted(rows, key=lambda r: (r.rated_at, r.survey_id), reverse=True)
    assert ratings.boroughs(db) == ["Camden", "Hackney"]
