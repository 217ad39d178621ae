"""The desk's KPIs per London day or ISO week (Monday to Sunday, London time).

Definitions (T is SERVICE_LEVEL_SECONDS, 60 by default).  Calls are counted on the
London day they started.

- offered: calls that entered the desk queue (``queue_joined_at`` is set).
- answered: offered calls connected to an agent (outcome ``connected``).
- abandoned: offered calls that hung up while waiting (outcome ``abandoned``).
- chose callback: offered calls that left the queue by asking for a callback
  (outcome ``callback_requested``, or ``callback_unsafe`` when they then said a
  call back is not safe) — they chose to leave, so they are not abandonments.
- service level: answered within T seconds of joining / answered.
- service level incl. abandoned: answered within T / (answered + abandoned).  Every
  abandoned caller counts, however short their wait: a frightened caller who gives
  up after twenty seconds is still a victim the desk did not answer, and the wait of
  someone who hangs up is not always known (Twilio may only report the call's end),
  so a "short abandon" cut-off could not be applied fairly.
- abandonment rate: abandoned / (offered − chose callback).
- ASA (average speed of answer): mean wait in seconds of answered calls whose wait
  is known.
- AHT (average handle time): mean seconds from ``connected`` to ``completed`` (the
  queue events), counted on the London day the caller was connected.
- callbacks in window: completed callbacks whose successful (last) attempt started
  inside the victim's own window / completed callbacks; counted on the day of that
  attempt.  A callback with no window is always inside it.
- SMS delivery: delivered / sent, where sent = outbound messages Twilio accepted
  (``sent_at`` set), counted on the day they were sent; undelivered and failed ones
  are shown beside it.

Every figure is a sum in SQL over an index range; weeks are summed from days in
Python (at most 7 rows a week).  A settled day's sums are kept in ``kpi_days`` by the
nightly job (workers/kpi_days.py), so a year of weeks reads 365 small rows instead of
a year of calls; recent days, and settled days not kept yet, are computed live.  This
module only reads.  Indexes: ``ix_calls_kpi`` (started_at, queue_joined_at,
outcome, wait_seconds: the calls are never read, only the index);
``ix_call_events_event_at`` and ``ix_call_events_sid_event`` for AHT;
``ix_callback_attempts_started_at`` (+ the callback's primary key);
``ix_outbound_messages_sent_status`` (texts per day, from the index alone).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from desk.clock import london_now
from models.callbacks import CallbackAttempt, CallbackRequest
from models.calls import Call, CallEvent
from models.db import utcnow
from models.outbox import OutboundMessage
from models.reports import KpiDay
from reports.london import DayRange, as_date, clock_of, day_of, days_between, london_date, runs, week_start

CALLBACK_CHOSEN = ("callback_requested", "callback_unsafe")
# A day's calls, handle times, callback attempts and wrap-ups are final CALLS_FINAL_AFTER
# its end: a call or attempt still going at midnight has ended and its last status
# callback landed.  Its texts' delivery counts are final SETTLED_AFTER_DAYS after it
# (Twilio's delivery reports can take up to 72 hours): until then a kept day's texts are
# counted live.
CALLS_FINAL_AFTER = timedelta(hours=4)
SETTLED_AFTER_DAYS = 4
SMS_FIELDS = ("sms_sent", "sms_delivered", "sms_failed")


def calls_final_last(now: datetime) -> date:
    """The last London day whose calls are final at NOW (yesterday, from 04:00)."""
    return london_date(now - CALLS_FINAL_AFTER) - timedelta(days=1)


def sms_final_last(now: datetime) -> date:
    """The last London day whose texts' delivery counts are final at NOW."""
    return london_date(now) - timedelta(days=SETTLED_AFTER_DAYS)


@dataclass
class KpiCounts:
    """Sums for one period; the rates are derived from them."""
    offered: int = 0
    answered: int = 0
    answered_in_sl: int = 0
    abandoned: int = 0
    chose_callback: int = 0
    wait_sum: int = 0
    wait_known: int = 0
    handle_sum: float = 0.0
    handled: int = 0
    callbacks_completed: int = 0
    callbacks_in_window: int = 0
    sms_sent: int = 0
    sms_delivered: int = 0
    sms_failed: int = 0
    # Calls whose timeline cannot have happened (a negative wait, joining the queue
    # before the call began, a start in the future, answered after it ended): left
    # out of every figure above and shown as a count, never averaged in.
    inconsistent: int = 0

    def add(self, other: KpiCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @staticmethod
    def _ratio(top, bottom) -> float | None:
        return top / bottom if bottom else None

    @property
    def service_level(self) -> float | None:
        return self._ratio(self.answered_in_sl, self.answered)

    @property
    def service_level_with_abandoned(self) -> float | None:
        return self._ratio(self.answered_in_sl, self.answered + self.abandoned)

    @property
    def abandonment_rate(self) -> float | None:
        return self._ratio(self.abandoned, self.offered - self.chose_callback)

    @property
    def asa_seconds(self) -> float | None:
        return self._ratio(self.wait_sum, self.wait_known)

    @property
    def aht_seconds(self) -> float | None:
        return self._ratio(self.handle_sum, self.handled)

    @property
    def callbacks_in_window_rate(self) -> float | None:
        return self._ratio(self.callbacks_in_window, self.callbacks_completed)

    @property
    def sms_delivery_rate(self) -> float | None:
        return self._ratio(self.sms_delivered, self.sms_sent)


@dataclass
class KpiPeriod:
    start: date  # the day, or the Monday of the week
    days: int
    counts: KpiCounts = field(default_factory=KpiCounts)


@dataclass
class KpiReport:
    period: str  # "day" | "week"
    range: DayRange
    service_level_seconds: int
    rows: list[KpiPeriod]
    total: KpiCounts


def _flag(condition):
    return case((condition, 1), else_=0)


def _calls_by_day(db: Session, days: DayRange, sl_seconds: int, into) -> None:
    start, end = days.start, days.end
    # Only the columns of ix_calls_kpi, so the calls are still read from the index alone.
    # (coalesce: a comparison with NULL would make the whole test NULL, and drop the call.)
    joined = func.coalesce(Call.queue_joined_at, Call.started_at)
    ended = func.coalesce(Call.ended_at, utcnow())
    bad = or_(func.coalesce(Call.wait_seconds, 0) < 0, joined < Call.started_at, Call.started_at > utcnow(),
              ended < Call.started_at,
              # answered, or left the queue, after the call had ended (a second's rounding allowed)
              _seconds_between(db, ended, joined) + 1 < func.coalesce(Call.wait_seconds, 0))
    # Each call's day and consistency worked out once, in a subquery the database keeps
    # apart (OFFSET 0): merged into the sums below, the test would run once per sum.
    calls = (select(day_of(db, Call.started_at, start, end).label("day"), case((bad, 1), else_=0).label("bad"),
                    Call.queue_joined_at, Call.outcome, Call.wait_seconds)
             .where(Call.started_at >= start, Call.started_at < end).offset(0).subquery())
    col = calls.c
    offered = and_(col.queue_joined_at.is_not(None), col.bad == 0)
    answered = and_(offered, col.outcome == "connected")
    query = (select(col.day,
                    func.sum(_flag(offered)),
                    func.sum(_flag(answered)),
                    func.sum(_flag(and_(answered, col.wait_seconds <= sl_seconds))),
                    func.sum(_flag(and_(offered, col.outcome == "abandoned"))),
                    func.sum(_flag(and_(offered, col.outcome.in_(CALLBACK_CHOSEN)))),
                    func.sum(case((and_(answered, col.wait_seconds.is_not(None)), col.wait_seconds), else_=0)),
                    func.sum(_flag(and_(answered, col.wait_seconds.is_not(None)))),
                    func.sum(col.bad))
             .group_by(col.day))
    for row in db.exec(query).all():
        c = into(as_date(row[0]))
        (c.offered, c.answered, c.answered_in_sl, c.abandoned, c.chose_callback, c.wait_sum,
         c.wait_known) = (int(v or 0) for v in row[1:8])
        c.inconsistent += int(row[8] or 0)


def _seconds_between(db: Session, later, earlier):
    if db.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _handle_by_day(db: Session, days: DayRange, into) -> None:
    connected, completed = aliased(CallEvent), aliased(CallEvent)
    start, end = days.start, days.end
    day = day_of(db, connected.at, start, end).label("day")
    # A call put through after it ended, or with a negative wait, is counted as
    # inconsistent by _calls_by_day: here it is only left out.
    in_order = and_(completed.at >= connected.at, func.coalesce(connected.wait_seconds, 0) >= 0)
    query = (select(day, func.sum(_flag(in_order)),
                    func.sum(case((in_order, _seconds_between(db, completed.at, connected.at)), else_=0)))
             .select_from(connected)
             .join(completed, and_(completed.call_sid == connected.call_sid, completed.event == "completed"))
             .where(connected.event == "connected", connected.at >= start, connected.at < end)
             .group_by(day))
    for day_value, count, seconds in db.exec(query).all():
        c = into(as_date(day_value))
        c.handled, c.handle_sum = int(count or 0), float(seconds or 0)


def _callbacks_by_day(db: Session, days: DayRange, into) -> None:
    start, end = days.start, days.end
    day = day_of(db, CallbackAttempt.started_at, start, end).label("day")
    hhmm = clock_of(db, CallbackAttempt.started_at, start, end)
    ws, we = CallbackRequest.window_start, CallbackRequest.window_end
    inside = or_(ws.is_(None), we.is_(None),
                 and_(ws <= we, ws <= hhmm, we > hhmm),
                 and_(ws > we, or_(ws <= hhmm, we > hhmm)))
    # Per attempt in range, its callback looked up by primary key (1: the successful last
    # attempt, inside the window; 0: outside it; NULL: not one to count).  As a join,
    # PostgreSQL hashes every completed callback ever made, however few attempts are in range.
    verdict = (select(_flag(inside)).where(CallbackRequest.id == CallbackAttempt.callback_id,
                                           CallbackRequest.status == "completed",
                                           CallbackRequest.attempts == CallbackAttempt.attempt_no)
               .scalar_subquery())
    attempts = (select(day, verdict.label("verdict"))
                .where(CallbackAttempt.started_at >= start, CallbackAttempt.started_at < end)
                .offset(0).subquery())  # kept apart, so each lookup runs once, not once per sum
    query = (select(attempts.c.day, func.count(attempts.c.verdict), func.sum(attempts.c.verdict))
             .group_by(attempts.c.day))
    for day_value, count, within in db.exec(query).all():
        c = into(as_date(day_value))
        c.callbacks_completed, c.callbacks_in_window = int(count or 0), int(within or 0)


def _sms_by_day(db: Session, days: DayRange, into) -> None:
    start, end = days.start, days.end
    day = day_of(db, OutboundMessage.sent_at, start, end).label("day")
    query = (select(day, func.count(), func.sum(_flag(OutboundMessage.status == "delivered")),
                    func.sum(_flag(OutboundMessage.status.in_(("undelivered", "failed")))))
             .where(OutboundMessage.sent_at >= start, OutboundMessage.sent_at < end)
             .group_by(day))
    for day_value, sent, delivered, failed in db.exec(query).all():
        c = into(as_date(day_value))
        c.sms_sent, c.sms_delivered, c.sms_failed = int(sent or 0), int(delivered or 0), int(failed or 0)


def computed_by_day(db: Session, days: DayRange, sl_seconds: int) -> dict[date, KpiCounts]:
    by_day: dict[date, KpiCounts] = defaultdict(KpiCounts)

    def into(day: date) -> KpiCounts:
        return by_day[day]

    _calls_by_day(db, days, sl_seconds, into)
    _handle_by_day(db, days, into)
    _callbacks_by_day(db, days, into)
    _sms_by_day(db, days, into)
    return by_day


def _by_day(db: Session, days: DayRange, sl_seconds: int, now: datetime) -> dict[date, KpiCounts]:
    """Each day's sums: days whose calls are final from kpi_days where the job kept them
    (their texts counted live until those are final too), every other day computed
    live.  Reads only."""
    kept_last = min(days.last, calls_final_last(now))
    by_day: dict[date, KpiCounts] = {}
    texts_live: list[date] = []
    if days.first <= kept_last:
        for row in db.exec(select(KpiDay.day, KpiDay.counts, KpiDay.sms_final).where(
                KpiDay.service_level_seconds == sl_seconds, KpiDay.day >= days.first,
                KpiDay.day <= kept_last)).all():
            day = as_date(row.day)
            by_day[day] = KpiCounts(**row.counts)
            if not row.sms_final:
                texts_live.append(day)
    for run in runs(texts_live):
        for day in days_between(run.first, run.last):
            for name in SMS_FIELDS:
                setattr(by_day[day], name, 0)
        _sms_by_day(db, run, lambda day: by_day[day] if day in by_day else KpiCounts())
    missing = [day for day in days_between(days.first, days.last) if day not in by_day]
    for run in runs(missing):
        computed = computed_by_day(db, run, sl_seconds)
        by_day.update({day: computed.get(day, KpiCounts()) for day in days_between(run.first, run.last)})
    return by_day


@dataclass(frozen=True)
class DayToKeep:
    counts: KpiCounts
    texts_final: bool  # its texts' delivery counts are final too
    kept: bool  # kept before its texts were final: only its row is made final


def days_to_keep(db: Session, days: DayRange, sl_seconds: int, now: datetime) -> dict[date, DayToKeep]:
    """The days of DAYS to keep (for the job): whose calls are final and not kept yet,
    or kept before their texts' delivery counts were final and final now."""
    kept_last = min(days.last, calls_final_last(now))
    if kept_last < days.first:
        return {}
    texts_final = sms_final_last(now)
    kept = dict(db.exec(select(KpiDay.day, KpiDay.sms_final).where(
        KpiDay.service_level_seconds == sl_seconds, KpiDay.day >= days.first, KpiDay.day <= kept_last)).all())
    kept = {as_date(day): final for day, final in kept.items()}
    wanted = [day for day in days_between(days.first, kept_last)
              if day not in kept or (not kept[day] and day <= texts_final)]
    found: dict[date, DayToKeep] = {}
    for run in runs(wanted):
        computed = computed_by_day(db, run, sl_seconds)
        found.update({day: DayToKeep(computed.get(day, KpiCounts()), day <= texts_final, day in kept)
                      for day in days_between(run.first, run.last)})
    return found


def kpis(db: Session, days: DayRange, period: str = "day", service_level_seconds: int = 60,
         now: datetime | None = None) -> KpiReport:
    """KPIs for each London day (or ISO week) of DAYS, oldest first, and their total.
    Periods with no activity are listed with zeros, so a chart has no gaps."""
    if period not in ("day", "week"):
        raise ValueError("period must be day or week")
    by_day = _by_day(db, days, service_level_seconds, now or london_now())

    rows: dict[date, KpiPeriod] = {}
    day = days.first
    while day <= days.last:
        key = day if period == "day" else week_start(day)
        if key not in rows:
            rows[key] = KpiPeriod(start=key, days=1 if period == "day" else 7)
        if day in by_day:
            rows[key].counts.add(by_day[day])
        day += timedelta(days=1)
    total = KpiCounts()
    for counts in by_day.values():
        total.add(counts)
    return KpiReport(period, days, service_level_seconds, list(rows.values()), total)
