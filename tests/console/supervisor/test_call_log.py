"""The call log's filters and keyset pages, and one call's timeline."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from reports.calllog import CallFilters, call_page, call_timeline, decode_cursor, iter_calls
from reports.london import DayRange
from models.agents import Agent, AgentOffer
from models.callbacks import CallbackAttempt, CallbackRequest
from tests.support.history import add_call, london


def walk(db, filters, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page = call_page(db, filters, cursor, limit=limit)
        seen += [c.id for c in page.calls]
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


def test_pages_walk_every_call_once_newest_first_even_when_start_times_tie(db):
    same = london(2026, 11, 20, 10, 0)
    calls = [add_call(db, same) for _ in range(7)]  # seven calls in the same microsecond
    calls += [add_call(db, same + timedelta(seconds=s)) for s in (-5, 5, 9)]
    expected = [c.id for c in sorted(calls, key=lambda c: (c.started_at, c.id), reverse=True)]
    for limit in (1, 3, 4, 10, 50):
        seen, pages = walk(db, CallFilters(), limit)
        assert seen == expected, f"page size {limit}"
        assert pages == max(1, -(-len(expected) // limit))


def test_filters_combine(db):
    db.add(Agent(name="Desk agent 1", client_identity="a1", skills=["en"]))
    db.commit()
    agent = db.exec(select(Agent)).one()
    keep = add_call(db, london(2026, 11, 18, 9, 0), outcome="connected", wait=300, agent_id=agent.id, language="pl")
    add_call(db, london(2026, 11, 18, 9, 5), outcome="connected", wait=30, agent_id=agent.id, language="pl")  # short wait
    add_call(db, london(2026, 11, 18, 9, 6), outcome="connected", wait=300, agent_id=None, language="pl")     # no agent
    add_call(db, london(2026, 11, 18, 9, 7), outcome="connected", wait=300, agent_id=agent.id, language="en")  # English
    add_call(db, london(2026, 11, 17, 9, 0), outcome="connected", wait=300, agent_id=agent.id, language="pl")  # day before
    add_call(db, london(2026, 11, 18, 9, 8), outcome="abandoned", wait=300, language="pl")
    days = DayRange(london(2026, 11, 18, 0, 0).date(), london(2026, 11, 18, 0, 0).date())
    filters = CallFilters(start=days.start, end=days.end, outcome="connected", agent_id=agent.id,
                          min_wait_seconds=60, language="pl")
    assert [c.id for c in call_page(db, filters).calls] == [keep.id]
    assert [c.id for c in iter_calls(db, filters)] == [keep.id]


def test_the_export_reads_in_chunks_and_misses_nothing(db):
    calls = [add_call(db, london(2026, 11, 20, 10, 0) + timedelta(seconds=i // 2)) for i in range(9)]
    got = [c.call_sid for c in iter_calls(db, CallFilters(), chunk=2)]
    assert sorted(got) == sorted(c.call_sid for c in calls) and len(got) == len(set(got)) == 9


@pytest.mark.parametrize("cursor", ["nonsense", "bm90LWEtY3Vyc29y", "MjAyNi0xMS0yMHwx"])
def test_a_forged_cursor_is_refused(db, cursor):
    with pytest.raises(ValueError, match="not valid"):
        call_page(db, CallFilters(), cursor)
    with pytest.raises(ValueError):
        decode_cursor(cursor)


def test_timeline_puts_queue_events_offers_and_the_callback_in_order(db):
    db.add(Agent(name="Desk agent 2", client_identity="a2", skills=["en"]))
    db.commit()
    agent = db.exec(select(Agent)).one()
    call = add_call(db, london(2026, 11, 20, 10, 0), outcome="callback_requested", wait=90)
    db.add(AgentOffer(agent_id=agent.id, kind="queue", status="missed", caller_call_sid=call.call_sid,
                      outcome="no-answer", created_at=london(2026, 11, 20, 10, 0, 40)))
    request = CallbackRequest(call_sid=call.call_sid, phone="+447911123456", window_start="12:00",
                              window_end="16:00", status="completed", attempts=1,
                              requested_at=london(2026, 11, 20, 10, 2))
    db.add(request)
    db.flush()
    db.add(CallbackAttempt(callback_id=request.id, attempt_no=1, started_at=london(2026, 11, 20, 13, 0),
                           agent_id=agent.id, outcome="connected"))
    db.commit()
    timeline = call_timeline(db, call.id)
    whats = [e.what for e in timeline.entries]
    assert whats == ["Call started", "Joined the desk queue", "Rang Desk agent 2", "Callback requested",
                     "Call ended", "Callback attempt 1"]
    assert "window 12:00-16:00; now completed" in timeline.entries[3].detail
    assert "Desk agent 2, connected" == timeline.entries[5].detail
    assert call_timeline(db, 999999) is None
