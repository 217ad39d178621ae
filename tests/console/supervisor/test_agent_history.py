"""History a supervisor expects: every change of an agent's state is kept as an
interval; time in each state, occupancy and performance per agent per day; calls per
15, 30 or 60 minutes or hour of day, with AHT split into talk and after-call work."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from desk import settings
from models.agents import Agent, AgentOffer
from models.wallboard import AgentStateInterval
from reports.agent_activity import agent_activity
from reports.intervals import intervals
from reports.london import DayRange
from services import agent_state
from tests.support.history import add_call, london

MONDAY = london(2026, 11, 23, 9, 0)


def new_agent(db, name="Al", state="offline", at=MONDAY):
    agent = Agent(name=name, client_identity=name.lower(), skills=["en"], state=state, state_changed_at=at)
    db.add(agent)
    db.commit()
    return agent


def spans(db, agent_id):
    return [(i.state, i.started_at, i.ended_at) for i in db.exec(
        select(AgentStateInterval).where(AgentStateInterval.agent_id == agent_id)
        .order_by(AgentStateInterval.started_at, AgentStateInterval.id)).all()]


def test_every_change_of_state_is_kept_as_an_interval(app, db):
    settings.override(app.config, AGENT_WRAP_UP_SECONDS=30)
    agent = new_agent(db)
    t = MONDAY
    agent_state.change_state(db, agent, "available", t)
    offer = AgentOffer(agent_id=agent.id, kind="queue", status="ringing", created_at=t + timedelta(minutes=5))
    db.add(offer)
    db.commit()
    agent_state.accepted(db, offer, t + timedelta(minutes=5, seconds=10))
    agent_state.connected(db, offer, t + timedelta(minutes=5, seconds=12))
    agent_state.ended(db, offer, t + timedelta(minutes=9), "completed", talked_seconds=228)
    db.commit()
    agent_state.finish_wrap_ups(db, t + timedelta(minutes=11))
    agent_state.change_state(db, agent, "available", t + timedelta(minutes=12))  # already available: one interval
    db.commit()
    assert spans(db, agent.id) == [
        ("available", t, t + timedelta(minutes=5, seconds=10)),
        ("busy", t + timedelta(minutes=5, seconds=10), t + timedelta(minutes=9)),
        ("wrap_up", t + timedelta(minutes=9), t + timedelta(minutes=9, seconds=30)),
        ("available", t + timedelta(minutes=9, seconds=30), None),
    ]


def test_the_agents_own_state_button_is_kept_too(app, client, login, staff, rows):
    from models.db import session
    from tests.support.console import csrf_from

    with app.app_context():  # not the db fixture: its app context would be shared with the requests
        agent_id = new_agent(session()).id
    staff("al@desk.example", "agent", agent_id=agent_id)
    login(client, "al@desk.example")
    page = client.get("/console/agent/").get_data(as_text=True)
    response = client.post("/console/agent/state", data={"state": "available", "csrf_token": csrf_from(page)})
    assert response.status_code == 303, response.headers.get("Location")
    assert [i.state for i in rows(AgentStateInterval)] == ["available"]


def test_time_in_each_state_occupancy_and_performance_per_agent_per_day(app, db):
    agent = new_agent(db)
    t = london(2026, 11, 23, 22, 0)
    for state, minutes in (("available", 0), ("busy", 60), ("wrap_up", 80), ("available", 90),
                           ("offline", 150)):  # the last available runs past midnight
        agent_state.change_state(db, agent, state, t + timedelta(minutes=minutes))
    db.add(AgentOffer(agent_id=agent.id, kind="queue", status="ended", created_at=t + timedelta(minutes=59),
                      answered_at=t + timedelta(minutes=60), ended_at=t + timedelta(minutes=80)))
    db.add(AgentOffer(agent_id=agent.id, kind="queue", status="missed", created_at=t + timedelta(minutes=30)))
    db.add(AgentOffer(agent_id=agent.id, kind="callback", status="missed", created_at=t + timedelta(minutes=30)))
    db.commit()
    report = agent_activity(db, DayRange(t.date(), t.date() + timedelta(days=1)), london(2026, 11, 25, 9, 0))
    monday, tuesday = report.days
    assert (monday.day.isoformat(), tuesday.day.isoformat()) == ("2026-11-23", "2026-11-24")
    assert {k: v / 60 for k, v in monday.seconds.items()} == {"available": 90, "busy": 20, "wrap_up": 10,
                                                              "offline": 0}
    assert tuesday.seconds["available"] / 60 == 30
    assert tuesday.seconds["offline"] / 3600 == 24 - 0.5  # offline from 00:30 to the end of the range
    assert monday.occupancy == 30 / 120
    assert (monday.calls, monday.missed_offers, monday.talk_avg_seconds, monday.acw_avg_seconds,
            monday.aht_seconds) == (1, 2, 20 * 60, 10 * 60, 30 * 60)
    [whole] = report.agents
    assert whole.seconds["available"] / 60 == 120 and whole.calls == 1


def test_todays_open_interval_counts_up_to_now(app, db):
    agent = new_agent(db)
    agent_state.change_state(db, agent, "available", MONDAY)
    db.commit()
    report = agent_activity(db, DayRange(MONDAY.date(), MONDAY.date()), MONDAY + timedelta(minutes=45))
    assert report.days[0].seconds["available"] == 45 * 60


def test_calls_per_quarter_hour_half_hour_hour_and_hour_of_day(app, db):
    for day in (23, 24):
        add_call(db, london(2026, 11, day, 9, 5), outcome="connected", wait=20, handle=300)
        add_call(db, london(2026, 11, day, 9, 20), outcome="connected", wait=100, handle=180)
        add_call(db, london(2026, 11, day, 9, 50), outcome="abandoned", wait=40)
    add_call(db, london(2026, 11, 23, 14, 0), outcome="case_update", queued=False)
    days = DayRange(london(2026, 11, 23, 0, 0).date(), london(2026, 11, 24, 0, 0).date())

    quarter = intervals(db, days, "15", 60)
    first = [(r.day.isoformat(), r.label(), r.counts.offered, r.counts.answered, r.counts.abandoned)
             for r in quarter.rows if r.day.day == 23]
    assert first == [("2026-11-23", "09:00–09:15", 1, 1, 0), ("2026-11-23", "09:15–09:30", 1, 1, 0),
                     ("2026-11-23", "09:45–10:00", 1, 0, 1), ("2026-11-23", "14:00–14:15", 0, 0, 0)]

    half = intervals(db, days, "30", 60)
    assert [(r.label(), r.counts.offered) for r in half.rows if r.day.day == 24] == [
        ("09:00–09:30", 2), ("09:30–10:00", 1)]

    hourly = intervals(db, days, "60", 60)
    nine = next(r for r in hourly.rows if r.day.day == 23 and r.minute == 9 * 60)
    assert (nine.counts.offered, nine.counts.service_level, nine.counts.asa_seconds) == (3, 0.5, 60)

    by_hour = intervals(db, days, "hour", 60)
    assert len(by_hour.rows) == 24 and by_hour.rows[0].label() == "00:00–01:00"
    nine = by_hour.rows[9]
    assert (nine.day, nine.counts.offered, nine.counts.answered, nine.counts.abandoned) == (None, 6, 4, 2)
    assert nine.counts.talk_seconds == 240  # (300 + 180) / 2, twice
    assert by_hour.total.offered == 6 and by_hour.total.service_level == 0.5


def test_after_call_work_is_counted_in_the_interval_it_began(app, db):
    agent = new_agent(db)
    t = london(2026, 11, 23, 9, 0)
    agent_state.change_state(db, agent, "wrap_up", t + timedelta(minutes=10))
    agent_state.change_state(db, agent, "available", t + timedelta(minutes=11))
    agent_state.change_state(db, agent, "wrap_up", t + timedelta(minutes=20))
    agent_state.change_state(db, agent, "available", t + timedelta(minutes=23))
    db.commit()
    add_call(db, t + timedelta(minutes=2), outcome="connected", wait=10, handle=120)
    report = intervals(db, DayRange(t.date(), t.date()), "60", 60)
    [nine] = report.rows
    assert (nine.counts.acw_seconds, nine.counts.talk_seconds, nine.counts.aht_seconds) == (120, 120, 240)


def test_summer_time_calls_fall_in_their_london_hour(app, db):
    add_call(db, london(2026, 6, 15, 9, 10), outcome="connected", wait=10)  # 08:10 UTC
    report = intervals(db, DayRange(london(2026, 6, 15, 0, 0).date(), london(2026, 6, 15, 0, 0).date()), "60", 60)
    assert [(r.label(), r.counts.offered) for r in report.rows] == [("09:00–10:00", 1)]


def test_a_call_exactly_on_a_quarter_falls_in_the_quarter_it_opens(app, db):
    for minute in (0, 15, 30, 45):
        add_call(db, london(2026, 11, 23, 23, minute), outcome="connected", wait=10)
    report = intervals(db, DayRange(london(2026, 11, 23, 0, 0).date(), london(2026, 11, 23, 0, 0).date()), "15", 60)
    assert [(r.label(), r.counts.offered) for r in report.rows] == [
        ("23:00–23:15", 1), ("23:15–23:30", 1), ("23:30–23:45", 1), ("23:45–24:00", 1)]


def test_time_in_state_equals_every_interval_cut_at_midnights_for_any_range_and_when_kept(app, db):
    """Intervals summed by the database (within a day) and cut here (across midnight, open,
    begun before the range, a holiday offline for days, across the clock change) add up to
    each interval's overlap with each London day, for ranges that start and end anywhere."""
    import random

    from reports.london import london_date, start_of_day

    rng = random.Random(5)
    agents = [new_agent(db, name=f"Agent {n}", at=london(2026, 10, 20, 8, 0)) for n in range(3)]
    t = london(2026, 10, 20, 8, 0)
    for agent in agents:
        at = t + timedelta(minutes=rng.randrange(600))
        while at < london(2026, 11, 6, 12, 0):
            state = rng.choice(("available", "busy", "wrap_up", "offline"))
            agent_state.change_state(db, agent, state, at)
            at += timedelta(minutes=rng.choice((3, 17, 45, 200, 900, 3 * 24 * 60)))
    db.commit()
    now = london(2026, 11, 6, 12, 0)
    rows = db.exec(select(AgentStateInterval)).all()

    def expected(first, last):
        found = {}
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1)):
            lo, hi = start_of_day(day), min(start_of_day(day + timedelta(days=1)), now)
            for i in rows:
                overlap = (min(i.ended_at or now, hi) - max(i.started_at, lo)).total_seconds()
                if overlap > 0:
                    spent = found.setdefault((i.agent_id, day), {})
                    spent[i.state] = spent.get(i.state, 0) + overlap
        return found

    for n in range(60):  # offers taken (talked or not yet ended) and missed, on many days
        made = t + timedelta(hours=7 * n + rng.randrange(5))
        taken = rng.random() < 0.8
        db.add(AgentOffer(agent_id=rng.choice(agents).id, kind="queue", status="ended" if taken else "missed",
                          created_at=made, answered_at=made + timedelta(seconds=10) if taken else None,
                          ended_at=made + timedelta(seconds=300) if taken and n % 5 else None))
    db.commit()
    ranges = ((london(2026, 10, 20, 0, 0).date(), london(2026, 11, 6, 0, 0).date()),
              (london(2026, 10, 24, 0, 0).date(), london(2026, 10, 26, 0, 0).date()),  # the clock change
              (london(2026, 11, 2, 0, 0).date(), london(2026, 11, 2, 0, 0).date()),
              (london(2026, 11, 5, 0, 0).date(), london(2026, 11, 9, 0, 0).date()))
    live = {}
    for first, last in ranges:
        report = agent_activity(db, DayRange(first, last), now)
        got = {(r.agent_id, r.day): {k: round(v, 3) for k, v in r.seconds.items() if v}
               for r in report.days if any(r.seconds.values())}
        want = {key: {k: round(v, 3) for k, v in spent.items()} for key, spent in expected(first, last).items()}
        assert got == want, (first, last)
        assert london_date(now) >= last or not any(d > london_date(now) for _, d in got)
        live[(first, last)] = [(r.agent_id, r.day, {k: round(v, 3) for k, v in r.seconds.items()}, r.calls,
                                r.talked_calls, r.talk_seconds, r.missed_offers) for r in report.days]
    assert sum(r[3] for r in live[ranges[0]]) > 0 and sum(r[6] for r in live[ranges[0]]) > 0

    # the kpi-days job keeps each agent's days once their calls are final: the same figures
    from models.wallboard import AgentDayKept, AgentDayTotals
    from services.kpi_days import keep_agent_days

    assert keep_agent_days(db, DayRange(ranges[0][0], ranges[3][1]), now) == 17, "20 Oct to 5 Nov: 6 Nov is today"
    assert max(d.day for d in db.exec(select(AgentDayKept)).all()) == london(2026, 11, 5, 0, 0).date()
    assert db.exec(select(AgentDayTotals)).first() is not None
    assert keep_agent_days(db, DayRange(ranges[0][0], ranges[3][1]), now) == 0, "nothing left to keep"
    for first, last in ranges:
        report = agent_activity(db, DayRange(first, last), now)
        assert [(r.agent_id, r.day, {k: round(v, 3) for k, v in r.seconds.items()}, r.calls, r.talked_calls,
                 r.talk_seconds, r.missed_offers) for r in report.days] == live[(first, last)], (first, last)
