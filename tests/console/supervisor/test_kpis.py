"""KPIs on hand-built days, with the exact figures a supervisor would check by hand."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from reports.kpis import kpis
from reports.london import DayRange
from models.callbacks import CallbackAttempt, CallbackRequest
from models.outbox import OutboundMessage
from tests.support.history import add_call, london

MONDAY = date(2026, 11, 16)


def a_busy_monday(db):
    """10 calls offered: 6 answered (waits 10-200 s, 4 within 60 s; handled 100-600 s),
    3 abandoned, 1 left for a callback; 2 calls that never queued; 1 call on Tuesday."""
    at = london(2026, 11, 16, 9, 0)
    for i, (wait, handle) in enumerate(zip((10, 20, 30, 60, 90, 200), (100, 200, 300, 400, 500, 600))):
        add_call(db, at + timedelta(minutes=10 * i), outcome="connected", wait=wait, handle=handle, agent_id=None)
    for i in range(3):
        add_call(db, at + timedelta(hours=2, minutes=i), outcome="abandoned", wait=45)
    add_call(db, at + timedelta(hours=3), outcome="callback_requested", wait=120)
    add_call(db, at + timedelta(hours=4), outcome="case_update", queued=False)
    add_call(db, at + timedelta(hours=5), outcome="information", queued=False)
    add_call(db, london(2026, 11, 17, 11, 0), outcome="connected", wait=5, handle=50)


def test_call_figures_for_a_day_are_exact(db):
    a_busy_monday(db)
    report = kpis(db, DayRange(MONDAY, MONDAY + timedelta(days=1)), "day", service_level_seconds=60)
    monday, tuesday = (r.counts for r in report.rows)
    assert (monday.offered, monday.answered, monday.abandoned, monday.chose_callback) == (10, 6, 3, 1)
    assert monday.abandonment_rate == pytest.approx(3 / 9)  # the callback caller chose to leave
    assert monday.service_level == pytest.approx(4 / 6)
    assert monday.service_level_with_abandoned == pytest.approx(4 / 9)
    assert monday.asa_seconds == pytest.approx(410 / 6)
    assert monday.aht_seconds == pytest.approx(350)
    assert (tuesday.offered, tuesday.answered, tuesday.aht_seconds) == (1, 1, pytest.approx(50))
    assert report.total.offered == 11 and report.total.answered == 7


def test_weeks_sum_their_days_and_empty_days_are_listed(db):
    a_busy_monday(db)
    report = kpis(db, DayRange(MONDAY - timedelta(days=7), MONDAY + timedelta(days=6)), "week")
    assert [r.start for r in report.rows] == [MONDAY - timedelta(days=7), MONDAY]
    empty, busy = (r.counts for r in report.rows)
    assert empty.offered == 0 and empty.service_level is None
    assert (busy.offered, busy.answered, busy.abandoned) == (11, 7, 3)
    assert busy.abandonment_rate == pytest.approx(3 / 10)
    daily = kpis(db, DayRange(MONDAY, MONDAY + timedelta(days=6)), "day")
    assert len(daily.rows) == 7 and [r.counts.offered for r in daily.rows] == [10, 1, 0, 0, 0, 0, 0]


def test_days_are_london_days_in_summer_and_across_the_clock_change(db):
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC: it belongs to 1 June.
    add_call(db, london(2026, 6, 1, 0, 30))
    add_call(db, london(2026, 5, 31, 23, 30))
    june = kpis(db, DayRange(date(2026, 6, 1), date(2026, 6, 1)))
    assert june.rows[0].counts.offered == 1
    # Clocks went forward at 01:00 UTC on 29 March 2026.
    for moment in (london(2026, 3, 28, 23, 30), london(2026, 3, 29, 0, 30), london(2026, 3, 29, 23, 30),
                   london(2026, 3, 30, 0, 30)):
        add_call(db, moment)
    spring = kpis(db, DayRange(date(2026, 3, 28), date(2026, 3, 30)))
    assert [r.counts.offered for r in spring.rows] == [1, 2, 1]


def _callback(db, window, attempts, status="completed"):
    request = CallbackRequest(phone="+447911123456", window_start=window and window[0],
                              window_end=window and window[1], status=status, attempts=len(attempts),
                              requested_at=london(2026, 11, 16, 8, 0))
    db.add(request)
    db.flush()
    for n, (hour, minute) in enumerate(attempts, start=1):
        last = n == len(attempts)
        started = london(2026, 11, 16, hour, minute)
        db.add(CallbackAttempt(callback_id=request.id, attempt_no=n, started_at=started,
                               outcome="connected" if last and status == "completed" else "no_answer",
                               ended_at=started + timedelta(minutes=3)))
    db.commit()


def test_callbacks_within_the_victims_window(db):
    _callback(db, ("09:00", "12:00"), [(10, 0)])            # inside
    _callback(db, ("09:00", "12:00"), [(13, 0)])            # outside
    _callback(db, None, [(15, 0)])                          # no window: any time
    _callback(db, ("09:00", "12:00"), [(8, 0), (11, 0)])    # last attempt inside
    _callback(db, ("20:00", "08:00"), [(7, 0)])             # overnight window
    _callback(db, ("09:00", "12:00"), [(10, 0)], status="failed")  # not completed
    day = kpis(db, DayRange(MONDAY, MONDAY)).rows[0].counts
    assert (day.callbacks_completed, day.callbacks_in_window) == (5, 4)
    assert day.callbacks_in_window_rate == pytest.approx(0.8)


def test_sms_delivery_rate_counts_what_twilio_accepted(db):
    sent = london(2026, 11, 16, 12, 0)
    for i, status in enumerate(("delivered", "delivered", "delivered", "undelivered", "pending")):
        db.add(OutboundMessage(purpose="survey_invite", dedupe_key=str(i), to_number="+447911123456",
                               from_number="+442079460000", body="x", status=status,
                               sent_at=None if status == "pending" else sent))
    db.commit()
    day = kpis(db, DayRange(MONDAY, MONDAY)).rows[0].counts
    assert (day.sms_sent, day.sms_delivered, day.sms_failed) == (4, 3, 1)
    assert day.sms_delivery_rate == pytest.approx(0.75)


def test_a_day_is_kept_once_its_calls_are_final_and_recent_days_stay_live(db):
    from dataclasses import asdict

    from models.reports import KpiDay
    from services.kpi_days import keep_settled_days

    a_busy_monday(db)
    week = DayRange(MONDAY, MONDAY + timedelta(days=1))
    before_four = london(2026, 11, 17, 3, 59)  # a call may still end, or report its end, until 04:00
    live = kpis(db, week, now=before_four)
    assert keep_settled_days(db, week, 60, before_four) == 0 and db.exec(select(KpiDay)).all() == []
    tuesday_noon = london(2026, 11, 17, 12, 0)  # Monday's calls are final, Tuesday's not yet
    first = kpis(db, week, now=tuesday_noon)
    assert db.exec(select(KpiDay)).all() == [], "a report only reads: the kpi-days job keeps days"
    keep_settled_days(db, week, 60, tuesday_noon)
    assert [asdict(r.counts) for r in first.rows] == [asdict(r.counts) for r in live.rows]
    assert [(row.day, row.sms_final) for row in db.exec(select(KpiDay)).all()] == [(MONDAY, False)]

    add_call(db, london(2026, 11, 16, 12, 0), outcome="abandoned", wait=30)  # a late row for Monday
    add_call(db, london(2026, 11, 17, 12, 0), outcome="abandoned", wait=30)
    monday, tuesday = (r.counts for r in kpis(db, week, now=tuesday_noon).rows)
    assert monday.offered == 10, "the kept figures are read, not recomputed"
    assert tuesday.offered == 2 and tuesday.abandoned == 1, "a recent day is live"


def test_a_kept_days_texts_are_counted_live_until_their_delivery_reports_are_in(db):
    """Twilio's delivery reports can take 72 hours: a day kept the morning after (its calls
    final) still counts its texts live, and the job makes its row final four days on."""
    from models.reports import KpiDay
    from services.kpi_days import keep_settled_days

    a_busy_monday(db)
    texts = [OutboundMessage(purpose="survey_invite", dedupe_key=str(i), to_number="+447911123456",
                             from_number="+442079460000", body="x", status="sent",
                             sent_at=london(2026, 11, 16, 12, 0)) for i in range(2)]
    db.add_all(texts)
    db.commit()
    monday = DayRange(MONDAY, MONDAY)
    keep_settled_days(db, monday, 60, london(2026, 11, 17, 12, 0))
    texts[0].status = "delivered"  # its report lands on Wednesday
    db.add(texts[0])
    db.commit()
    day = kpis(db, monday, now=london(2026, 11, 18, 9, 0)).rows[0].counts
    assert (day.offered, day.sms_sent, day.sms_delivered) == (10, 2, 1)
    friday = london(2026, 11, 20, 9, 0)
    assert keep_settled_days(db, monday, 60, friday) == 1
    row = db.exec(select(KpiDay)).one()
    assert row.sms_final and (row.counts["sms_sent"], row.counts["sms_delivered"]) == (2, 1)
    texts[1].status = "delivered"  # too late to count: the day is final
    db.add(texts[1])
    db.commit()
    assert kpis(db, monday, now=friday).rows[0].counts.sms_delivered == 1
    assert keep_settled_days(db, monday, 60, friday) == 0, "nothing left to keep"


def test_the_nightly_job_keeps_every_settled_day(app, db, clock, run_workers):
    from models.reports import KpiDay
    from workers.kpi_days import DAYS_BACK, keep_settled_days
    from workers.periodic import PERIODIC
    from desk.queues import queue

    a_busy_monday(db)
    queue(app.config, "default").enqueue(keep_settled_days)
    run_workers()
    kept = {row.day: row.counts for row in db.exec(select(KpiDay)).all()}
    assert len(kept) == DAYS_BACK + 1 and max(kept) == clock.current.date() - timedelta(days=1)
    assert kept[MONDAY]["offered"] == 10 and kept[MONDAY]["answered"] == 6
    assert PERIODIC["kpi-days"][1] == 3600, "hourly: a day is kept within the hour its calls are final"
    from models.wallboard import AgentDayKept
    agent_days = {row.day for row in db.exec(select(AgentDayKept)).all()}
    assert agent_days == set(kept), "the agents' days are kept with the KPI days"
