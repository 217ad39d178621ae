"""Today so far on the wallboard: calls offered, answered and abandoned since the London
day began, the service level today and over the last hour, colour levels with words,
one row per agent, the split by skill, and why callers wait."""
from __future__ import annotations

from datetime import timedelta

from models.agents import Agent, AgentOffer
from models.callbacks import CallbackRequest
from models.calls import Call
from models.cases import Case
from reports.wallboard import Thresholds, wallboard
from tests.support.history import add_call, london

NOW = london(2026, 11, 23, 10, 0)


def waiting_caller(db, sid, *, waited, language="en", case_id=None):
    db.add(Call(call_sid=sid, caller="+447911000001", started_at=NOW - timedelta(seconds=waited + 30),
                queue_joined_at=NOW - timedelta(seconds=waited), waiting_since=NOW - timedelta(seconds=waited),
                language=language, verified_case_id=case_id, path=[], state={}))


def agent(db, name, state, *, since_minutes=5, skills=("en",)):
    row = Agent(name=name, client_identity=name, skills=list(skills), state=state,
                state_changed_at=NOW - timedelta(minutes=since_minutes))
    db.add(row)
    db.flush()
    return row


def test_today_so_far_counts_only_todays_calls_and_the_last_hour_apart(app, db):
    add_call(db, london(2026, 11, 22, 23, 50), outcome="connected", wait=5)     # yesterday: not counted
    add_call(db, london(2026, 11, 23, 0, 10), outcome="connected", wait=120)    # today, outside SL
    add_call(db, london(2026, 11, 23, 8, 0), outcome="abandoned", wait=40)
    add_call(db, london(2026, 11, 23, 9, 20), outcome="connected", wait=30)     # last hour, inside
    add_call(db, london(2026, 11, 23, 9, 40), outcome="connected", wait=90)     # last hour, outside
    add_call(db, london(2026, 11, 23, 9, 45), outcome="case_update", queued=False)  # never offered
    board = wallboard(db, NOW, sl_seconds=60)
    assert (board.offered_today, board.answered_today, board.abandoned_today) == (4, 3, 1)
    assert board.service_level_today == 1 / 3
    assert board.service_level_last_hour == 1 / 2


def test_levels_say_in_words_what_the_colour_means(app, db):
    for i, waited in enumerate((200, 100, 50, 10)):
        waiting_caller(db, f"CA{i}", waited=waited)
    db.commit()
    t = Thresholds(waiting_amber=3, waiting_red=6, longest_wait_amber=60, longest_wait_red=180,
                   overdue_amber=1, overdue_red=5, service_level_amber=0.8, service_level_red=0.6)
    board = wallboard(db, NOW, thresholds=t)
    assert board.levels["callers_waiting"] == {"level": "amber", "text": "Warning: 3 or more waiting"}
    assert board.levels["longest_wait_seconds"] == {"level": "red", "text": "Alert: 3m 00s or longer"}
    assert board.levels["callbacks_overdue"] == {"level": "ok", "text": "OK: fewer than 1 overdue"}
    assert board.levels["service_level_today"] == {"level": "ok", "text": "No answered calls yet"}
    add_call(db, london(2026, 11, 23, 9, 0), outcome="connected", wait=30)
    add_call(db, london(2026, 11, 23, 9, 10), outcome="connected", wait=90)
    board = wallboard(db, NOW, thresholds=t)
    assert board.levels["service_level_today"] == {"level": "red", "text": "Alert: below 60%"}


def test_one_row_per_agent_with_time_in_state_the_call_and_calls_today(app, db):
    busy = agent(db, "Bea", "busy", since_minutes=4)
    free = agent(db, "Al", "available", since_minutes=12)
    agent(db, "Olu", "offline", since_minutes=90)
    db.add(AgentOffer(agent_id=busy.id, kind="queue", status="connected", created_at=NOW - timedelta(minutes=4),
                      answered_at=NOW - timedelta(minutes=3, seconds=30)))
    for minutes in (60, 120):  # two handled today, one yesterday, one missed today
        db.add(AgentOffer(agent_id=free.id, kind="queue", status="ended", created_at=NOW - timedelta(minutes=minutes),
                          answered_at=NOW - timedelta(minutes=minutes - 1)))
    db.add(AgentOffer(agent_id=free.id, kind="queue", status="ended", created_at=NOW - timedelta(hours=11),
                      answered_at=NOW - timedelta(hours=11)))
    db.add(AgentOffer(agent_id=free.id, kind="queue", status="missed", created_at=NOW - timedelta(minutes=30)))
    db.commit()
    rows = wallboard(db, NOW).agent_rows
    assert [(r["name"], r["state"], r["state_seconds"], r["call_seconds"], r["handled_today"]) for r in rows] == [
        ("Bea", "busy", 240, 210, 1), ("Al", "available", 720, None, 2), ("Olu", "offline", 5400, None, 0)]


def test_waiting_callers_and_callbacks_split_by_skill(app, db):
    vawg_case = Case(crime_reference="CAD 1/26", reference_digits="126", victim_phone="+447911000009",
                     vawg=True, reference_key="CAD 1/26")
    db.add(vawg_case)
    db.flush()
    waiting_caller(db, "CA1", waited=30, case_id=vawg_case.id)
    waiting_caller(db, "CA2", waited=20, language="pl")
    waiting_caller(db, "CA3", waited=10)
    db.add(CallbackRequest(phone="+447911000002", queue_joined_at=NOW, language="pl"))
    db.add(CallbackRequest(phone="+447911000003", queue_joined_at=NOW, verified_case_id=vawg_case.id))
    db.add(CallbackRequest(phone="+447911000004", queue_joined_at=NOW, status="completed", language="pl"))
    db.commit()
    assert wallboard(db, NOW).by_skill == {"waiting": {"all": 3, "vawg": 1, "polish": 1},
                                           "callbacks": {"all": 2, "vawg": 1, "polish": 1}}


def test_it_says_why_callers_wait_while_agents_are_available(app, db):
    waiting_caller(db, "CA1", waited=40)
    rung = agent(db, "Al", "available")
    db.add(AgentOffer(agent_id=rung.id, kind="queue", status="ringing", caller_call_sid="CA1", created_at=NOW))
    db.commit()
    assert wallboard(db, NOW).why_waiting == [
        "1 offer is ringing: an agent is being rung for a waiting caller and has not answered yet."]

    waiting_caller(db, "CA2", waited=20, language="pl")
    agent(db, "Pia", "busy", skills=("en", "pl"))
    agent(db, "Ed", "available")
    db.commit()
    why = wallboard(db, NOW).why_waiting
    assert "1 Polish-speaking caller waits for a Polish-speaking agent; none of them is free." in why


def test_it_says_why_callers_wait_when_nobody_is_free(app, db):
    waiting_caller(db, "CA1", waited=40)
    db.commit()
    assert wallboard(db, NOW).why_waiting == [
        "No agent is on duty: callers wait until an agent goes available (each can still leave the queue for a callback)."]
    agent(db, "Bea", "busy")
    agent(db, "Cy", "wrap_up")
    db.commit()
    assert wallboard(db, NOW).why_waiting == ["No agent is free: 1 on a call, 1 in wrap-up."]
    agent(db, "Al", "available")
    db.commit()
    assert wallboard(db, NOW).why_waiting == [
        "1 agent is available but not being rung: routing rings within a few seconds; "
        "if this lasts, check that the workers are running."]


def test_the_wallboard_reads_only_live_rows_and_today(app, db):
    """The statements the wallboard runs name today's start or live-state conditions:
    no query reads calls or offers without a bound on when (history does not slow it)."""
    from sqlalchemy import event

    statements = []
    engine = db.get_bind()
    listener = lambda conn, cursor, statement, params, context, many: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        wallboard(db, NOW)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    for statement in statements:
        text = " ".join(statement.split()).lower()
        if "from calls" in text:
            assert "calls.waiting_since is not null" in text or "calls.started_at >=" in text, text
        if "from agent_offers" in text:
            assert "agent_offers.status in" in text or "agent_offers.created_at >=" in text, text
        if "from callback_requests" in text:
            assert "callback_requests.status =" in text, text


def test_urgent_unread_texts_are_counted_until_someone_opens_them(app, db):
    from models.inbox import InboxMessage

    assert wallboard(db, NOW).urgent_unread_texts == 0
    db.add_all([InboxMessage(message_sid="SM1", phone="+447911000001", body="help me", reason="free_text",
                             urgent=True),
                InboxMessage(message_sid="SM2", phone="+447911000002", body="when is court", reason="free_text"),
                InboxMessage(message_sid="SM3", phone="+447911000003", body="he is here", reason="free_text",
                             urgent=True, read_at=NOW)])
    db.commit()
    assert wallboard(db, NOW).urgent_unread_texts == 1
