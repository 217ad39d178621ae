"""The wallboard's figures: callers waiting (from real emulated calls), agents by
state, callbacks due and overdue."""
from __future__ import annotations

from datetime import timedelta

from reports.wallboard import wallboard
from models.agents import Agent
from models.callbacks import CallbackRequest
from models.db import session
from emulator.caller import Caller
from tests.support.service import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from tests.support.staffing import someone_on_duty


def caller(client, clock, number):
    return Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=number, to=DESK_NUMBER,
                  status_url="/ivr/status", clock=clock).dial()


def test_callers_waiting_and_the_longest_wait(app, client, clock):
    someone_on_duty(app)
    first = caller(client, clock, "+447911123456").press("2")   # to the desk queue
    clock.advance(seconds=95)
    caller(client, clock, "+447911123457").press("2")
    caller(client, clock, "+447911123458").press("1")           # still in the menus
    with app.app_context():
        board = wallboard(session(), clock())
    assert (board.callers_waiting, board.longest_wait_seconds) == (2, 95)
    first.hang_up()
    with app.app_context():
        board = wallboard(session(), clock())
    assert (board.callers_waiting, board.longest_wait_seconds) == (1, 0)


def test_agents_by_state_and_callbacks_due(app, clock):
    now = clock()  # Monday 10:00 London
    with app.app_context():
        db = session()
        for i, state in enumerate(("available", "available", "busy", "wrap_up")):
            db.add(Agent(name=f"Desk agent {i}", client_identity=f"a{i}", skills=["en"], state=state))

        def cb(**kw):
            kw.setdefault("queue_joined_at", now - timedelta(minutes=5))
            db.add(CallbackRequest(phone="+447911123456", **kw))

        cb()                                                                   # due, fresh
        cb(queue_joined_at=now - timedelta(hours=2))                           # due, overdue
        cb(next_attempt_at=now - timedelta(minutes=45))                        # retry came 45 min ago: overdue
        cb(next_attempt_at=now + timedelta(minutes=10))                        # retry not yet
        cb(window_start="14:00", window_end="16:00")                           # outside their window now
        cb(window_start="22:00", window_end="11:00")                           # overnight window, inside
        cb(status="completed")
        db.commit()
        board = wallboard(db, now, overdue_minutes=30)
    assert board.agents == {"available": 2, "busy": 1, "wrap_up": 1, "offline": 0}
    assert (board.callbacks_pending, board.callbacks_due, board.callbacks_overdue) == (6, 4, 2)
