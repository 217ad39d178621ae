"""Opening hours: weekdays 08:00-20:00, weekends and bank holidays 08:00-16:00,
Europe/London, opening inclusive and closing exclusive, right on DST change days."""
from datetime import UTC, date, datetime, time

import pytest

from flows.hours import LONDON, WeeklyHours, hours_on, is_bank_holiday, is_open, next_opening, parse_overrides


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize("moment, expected", [
    (london(2026, 11, 23, 7, 59, 59), False),   # Monday, a second before opening
    (london(2026, 11, 23, 8, 0), True),         # opening is inclusive
    (london(2026, 11, 23, 19, 59, 59), True),
    (london(2026, 11, 23, 20, 0), False),       # closing is exclusive
    (london(2026, 11, 28, 15, 59), True),       # Saturday
    (london(2026, 11, 28, 16, 0), False),
    (london(2026, 11, 29, 8, 0), True),         # Sunday
])
def test_weekday_and_weekend_hours(moment, expected):
    assert is_open(moment) is expected


def test_spring_forward_day_uses_london_wall_clock():
    # Sunday 29 March 2026: clocks go forward at 01:00 GMT, so 08:00 BST is 07:00 UTC.
    assert is_open(datetime(2026, 3, 29, 6, 59, tzinfo=UTC)) is False
    assert is_open(datetime(2026, 3, 29, 7, 0, tzinfo=UTC)) is True
    assert is_open(datetime(2026, 3, 29, 14, 59, tzinfo=UTC)) is True   # 15:59 BST
    assert is_open(datetime(2026, 3, 29, 15, 0, tzinfo=UTC)) is False   # 16:00 BST


def test_fall_back_day_uses_london_wall_clock():
    # Sunday 25 October 2026: clocks go back at 02:00 BST, so 08:00 GMT is 08:00 UTC.
    assert is_open(datetime(2026, 10, 25, 7, 30, tzinfo=UTC)) is False
    assert is_open(datetime(2026, 10, 25, 8, 0, tzinfo=UTC)) is True
    assert is_open(datetime(2026, 10, 25, 16, 0, tzinfo=UTC)) is False


def test_bank_holidays_and_substitute_days_keep_weekend_hours():
    # Christmas 2027 falls on a Saturday: Monday 27 and Tuesday 28 December are the
    # substitute bank holidays in England and Wales.
    for day in (date(2027, 12, 27), date(2027, 12, 28), date(2026, 12, 25), date(2026, 12, 28)):
        assert is_bank_holiday(day), day
        assert hours_on(day) == (time(8), time(16))
    assert not is_bank_holiday(date(2027, 12, 29))
    assert is_open(london(2027, 12, 28, 17, 0)) is False
    assert is_open(london(2027, 12, 29, 17, 0)) is True
    # Scotland's 2 January is not a holiday here
    assert not is_bank_holiday(date(2026, 1, 2))


def test_other_weekly_hours():
    weekly = WeeklyHours(weekdays=(time(9), time(17)), weekends=None, bank_holidays=(time(10), time(14)))
    assert is_open(london(2026, 11, 23, 8, 30), weekly=weekly) is False
    assert is_open(london(2026, 11, 23, 16, 59), weekly=weekly) is True
    assert hours_on(date(2026, 11, 28), weekly=weekly) is None                     # Saturday
    assert hours_on(date(2027, 12, 28), weekly=weekly) == (time(10), time(14))     # a substitute bank holiday
    assert next_opening(london(2026, 11, 27, 18, 0), weekly=weekly).at == london(2026, 11, 30, 9, 0)


def test_overrides_close_a_day_or_change_its_hours():
    overrides = parse_overrides({"2026-12-24": "08:00-14:00", "2026-11-24": "closed"})
    assert is_open(london(2026, 12, 24, 13, 59), overrides) is True
    assert is_open(london(2026, 12, 24, 14, 0), overrides) is False
    assert is_open(london(2026, 11, 24, 10, 0), overrides) is False
    assert is_open(london(2026, 11, 24, 10, 0)) is True


@pytest.mark.parametrize("raw", [{"24/12/2026": "closed"}, {"2026-12-24": "9 till 5"},
                                 {"2026-12-24": "14:00-08:00"}])
def test_bad_overrides_are_rejected_with_the_entry_named(raw):
    with pytest.raises(ValueError) as err:
        parse_overrides(raw)
    assert list(raw)[0] in str(err.value)


def test_next_opening():
    friday_night = london(2026, 11, 27, 21, 0)
    opening = next_opening(friday_night)
    assert opening.at == london(2026, 11, 28, 8, 0) and opening.days_ahead == 1
    early = next_opening(london(2026, 11, 23, 6, 0))
    assert early.at == london(2026, 11, 23, 8, 0) and early.days_ahead == 0
    # closed for a week: the next opening is after the closure
    closures = parse_overrides({f"2026-11-{d}": "closed" for d in range(24, 31)})
    later = next_opening(london(2026, 11, 23, 21, 0), closures)
    assert later.at == london(2026, 12, 1, 8, 0) and later.days_ahead == 8


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        is_open(datetime(2026, 11, 23, 10, 0))
