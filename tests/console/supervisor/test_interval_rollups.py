"""The interval reports read settled days from kept quarter-hours (kpi_quarters,
kept with kpi_days by the kpi-days job) and count only the other days live: the same
figures either way, and a year by hour of day no longer works through a year of calls."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from models.agents import Agent
from models.reports import KpiDay, KpiQuarter
from reports.intervals import intervals
from reports.london import DayRange
from services import agent_state
from services.kpi_days import keep_settled_days
from tests.support.history import add_call, london

MONDAY = london(2026, 11, 23, 9, 0)
TUESDAY_NOON = MONDAY + timedelta(days=1, hours=3)  # Monday's calls are final, Tuesday's not yet
WEEK = DayRange(MONDAY.date(), MONDAY.date() + timedelta(days=1))


def two_days(db) -> None:
    agent = Agent(name="Al", client_identity="al", skills=["en"], state="offline", state_changed_at=MONDAY)
    db.add(agent)
    db.commit()
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        add_call(db, day + timedelta(minutes=5), outcome="connected", wait=20, handle=300)
        add_call(db, day + timedelta(minutes=20), outcome="connected", wait=100, handle=180)
        add_call(db, day + timedelta(minutes=50), outcome="abandoned", wait=40)
        add_call(db, day.replace(hour=23, minute=50), outcome="case_update", queued=False)
        agent_state.change_state(db, agent, "wrap_up", day + timedelta(minutes=12))
        agent_state.change_state(db, agent, "available", day + timedelta(minutes=14))
    db.commit()


def figures(report) -> list[tuple]:
    return [(r.day, r.minute, r.length, *vars(r.counts).values()) for r in report.rows] + [
        tuple(vars(report.total).values())]


def test_kept_and_live_days_give_the_figures_a_live_count_gives(app, db):
    two_days(db)
    live = {size: figures(intervals(db, WEEK, size, 60, now=TUESDAY_NOON)) for size in ("15", "30", "60", "hour")}
    keep_settled_days(db, WEEK, 60, TUESDAY_NOON)
    assert [row.day for row in db.exec(select(KpiDay)).all()] == [MONDAY.date()]
    kept = db.exec(select(KpiQuarter).order_by(KpiQuarter.quarter)).all()
    assert [(q.day, q.quarter, q.offered, q.wraps) for q in kept] == [
        (MONDAY.date(), 36, 1, 1), (MONDAY.date(), 37, 1, 0), (MONDAY.date(), 39, 1, 0), (MONDAY.date(), 95, 0, 0)]
    for size, before in live.items():
        assert figures(intervals(db, WEEK, size, 60, now=TUESDAY_NOON)) == before, size


def test_a_kept_day_is_read_from_its_quarters_and_recent_days_stay_live(app, db):
    two_days(db)
    keep_settled_days(db, WEEK, 60, TUESDAY_NOON)
    for day in (MONDAY, MONDAY + timedelta(days=1)):  # late rows: Monday's are not seen
        add_call(db, day + timedelta(minutes=6), outcome="abandoned", wait=30)
    nine = intervals(db, WEEK, "hour", 60, now=TUESDAY_NOON).rows[9].counts
    assert (nine.offered, nine.abandoned) == (7, 3), "Monday's kept 3 offered, Tuesday's live 4"
    monday, tuesday = (r.counts for r in intervals(db, WEEK, "60", 60, now=TUESDAY_NOON).rows if r.minute == 9 * 60)
    assert (monday.offered, tuesday.offered) == (3, 4)
    assert monday.talk_seconds == 240 and monday.acw_seconds == 120


def test_a_day_kept_for_another_service_level_is_counted_live(app, db):
    two_days(db)
    keep_settled_days(db, WEEK, 30, TUESDAY_NOON)
    nine = intervals(db, WEEK, "hour", 60, now=TUESDAY_NOON).rows[9].counts
    assert (nine.answered, nine.answered_in_sl) == (4, 2)
