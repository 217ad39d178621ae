"""Quiet hours and call windows, in London wall-clock time."""
from datetime import datetime

import pytest

from flows.sms_schedule import LONDON, in_window, next_call_window, next_send_time


def london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize("candidate, expected", [
    (london(2026, 11, 23, 11, 0), london(2026, 11, 23, 11, 0)),   # daytime: as is
    (london(2026, 11, 23, 20, 59), london(2026, 11, 23, 20, 59)),
    (london(2026, 11, 23, 21, 0), london(2026, 11, 24, 8, 0)),    # quiet: next morning
    (london(2026, 11, 23, 23, 30), london(2026, 11, 24, 8, 0)),
    (london(2026, 11, 24, 3, 0), london(2026, 11, 24, 8, 0)),     # after midnight: same morning
    (london(2026, 11, 24, 8, 0), london(2026, 11, 24, 8, 0)),
    (london(2026, 3, 28, 22, 0), london(2026, 3, 29, 8, 0)),      # clocks go forward overnight
])
def test_next_send_time(candidate, expected):
    assert next_send_time(candidate, "21:00-08:00") == expected


def test_no_quiet_hours():
    assert next_send_time(london(2026, 11, 23, 23, 0), None) == london(2026, 11, 23, 23, 0)


def test_daytime_quiet_window():
    assert in_window(london(2026, 11, 23, 13, 0), "12:00-14:00")
    assert next_send_time(london(2026, 11, 23, 13, 0), "12:00-14:00") == london(2026, 11, 23, 14, 0)


def test_next_call_window():
    windows = ["09:00-12:00", "18:00-20:00"]
    assert next_call_window(windows, london(2026, 11, 23, 8, 0)) == (london(2026, 11, 23, 9), london(2026, 11, 23, 12))
    assert next_call_window(windows, london(2026, 11, 23, 10, 0)) == (london(2026, 11, 23, 10), london(2026, 11, 23, 12))
    assert next_call_window(windows, london(2026, 11, 23, 13, 0)) == (london(2026, 11, 23, 18), london(2026, 11, 23, 20))
    assert next_call_window(windows, london(2026, 11, 23, 21, 0)) == (london(2026, 11, 24, 9), london(2026, 11, 24, 12))
    assert next_call_window([], london(2026, 11, 23, 21, 0)) is None
