"""A voice webhook writes back only what it changed on the call's row, so a write made
by another process while the webhook was running (the router putting the caller
through to an agent) survives it."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from models import call_rows
from models.calls import Call


def test_a_queue_poll_in_flight_does_not_undo_the_router_putting_the_caller_through(app, dial, monkeypatch):
    caller = dial()
    caller.press("2")  # to the desk queue
    engine = app.extensions["db_engine"]
    real_load = call_rows.load

    def router_connects_meanwhile(db, call_sid):
        call = real_load(db, call_sid)
        # after the poll has read the row and before it writes it back, the router commits
        with Session(engine) as other:
            other.exec(update(Call).where(Call.call_sid == call_sid).values(agent_id=7, outcome="connected"))
            other.commit()
        return call

    monkeypatch.setattr(call_rows, "load", router_connects_meanwhile)
    caller.wait_in_queue(polls=1, position=1)
    monkeypatch.setattr(call_rows, "load", real_load)

    with Session(engine) as db:
        row = db.exec(select(Call).where(Call.call_sid == caller.call_sid)).one()
    assert (row.agent_id, row.outcome) == (7, "connected")
    assert row.waiting_since is not None  # and the caller is still in line
    assert "queue" in " ".join(row.path)
