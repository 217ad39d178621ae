"""Someone on duty at the desk: callers check staffing before the queue (ivr/effects.py
``on_duty``), so a test that queues a caller needs an agent who is not offline."""
from __future__ import annotations

from models.agents import Agent, AgentState
from models.db import session


def someone_on_duty(app, name: str = "On duty") -> None:
    """An agent on another call (busy): on duty, but never rung by the router."""
    with app.app_context():
        db = session()
        db.add(Agent(name=name, phone="+447700900999", skills=["en"], state=AgentState.BUSY.value))
        db.commit()
