"""Records whose timeline cannot have happened are flagged on the pages and left out
of the KPIs, never averaged in; and the benchmark's generator makes none."""
from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sqlmodel import select

from desk.clock import LONDON
from models.calls import CallEvent
from reports.kpis import kpis
from reports.london import DayRange
from tests.support.history import add_call, london

MONDAY = datetime(2026, 11, 16).date()
GENERATE = Path(__file__).resolve().parents[3] / "bench" / "generate.py"


def impossible_calls(db):
    """One of each kind the old generator made, beside two good calls."""
    add_call(db, london(2026, 11, 16, 10, 0), outcome="connected", wait=20, handle=100)
    add_call(db, london(2026, 11, 16, 10, 5), outcome="abandoned", wait=50)
    negative = add_call(db, london(2026, 11, 16, 11, 0), outcome="connected", wait=-40, handle=100)
    # put through after a 30 s wait, 20 s after the call had ended
    late = add_call(db, london(2026, 11, 16, 12, 0), outcome="connected", wait=30, handle=60)
    late.ended_at = late.queue_joined_at + timedelta(seconds=10)
    db.add(late)
    for event in db.exec(select(CallEvent).where(CallEvent.call_sid == late.call_sid)).all():
        if event.event == "completed":
            event.at = late.ended_at
            db.add(event)
    db.commit()
    return negative.id, late.id


def test_the_kpis_leave_impossible_calls_out_and_count_them(db, clock):
    impossible_calls(db)
    report = kpis(db, DayRange(MONDAY, MONDAY), "day", 60)
    monday = report.rows[0].counts
    assert (monday.offered, monday.answered, monday.abandoned) == (2, 1, 1)  # both impossible calls are out
    assert monday.asa_seconds == 20 and monday.aht_seconds == pytest.approx(100)  # not dragged down by -40 s or a negative talk
    assert monday.inconsistent == 2


def test_the_pages_flag_them(supervisor, db, clock):
    negative, late = impossible_calls(db)
    kpi_page = supervisor.get("/console/supervisor/kpis?from=2026-11-16&to=2026-11-16").get_data(as_text=True)
    assert "2 call records are\n  impossible" in kpi_page
    log = supervisor.get("/console/supervisor/calls?from=2026-11-16&to=2026-11-16").get_data(as_text=True)
    assert log.count("data-inconsistent") == 2 and "a negative wait (-40 s)" in log
    assert "answered or left the queue after the call had ended" in log
    detail = supervisor.get(f"/console/supervisor/calls/{late}").get_data(as_text=True)
    assert "This record cannot be what happened" in detail


def test_the_generator_makes_only_calls_the_service_could_have_recorded(tmp_path):
    from models import migrate

    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    migrate.upgrade(url)
    before = datetime.now(UTC)
    generate.grow(url, 4000, 10)
    engine = create_engine(url)
    with engine.connect() as conn:
        def count(where: str) -> int:
            return conn.execute(text(f"SELECT count(*) FROM calls WHERE {where}")).scalar()

        assert count("1=1") == 4000
        assert count("wait_seconds < 0") == 0
        assert count("queue_joined_at < started_at OR ended_at < started_at") == 0
        assert count("queue_joined_at IS NOT NULL AND "
                     "julianday(ended_at) * 86400 + 0.5 < julianday(queue_joined_at) * 86400 + wait_seconds") == 0
        assert conn.execute(text(
            "SELECT count(*) FROM call_events c JOIN call_events d ON d.call_sid = c.call_sid "
            "WHERE c.event = 'connected' AND d.event = 'completed' AND d.at < c.at")).scalar() == 0
        latest = conn.execute(text("SELECT max(started_at) FROM calls")).scalar()
        assert datetime.fromisoformat(latest).replace(tzinfo=UTC) < before  # nothing dated in the future
        attempts = conn.execute(text("SELECT max(started_at) FROM callback_attempts")).scalar()
        assert attempts is None or datetime.fromisoformat(attempts).replace(tzinfo=UTC) < before
        # nobody is put through while the desk is closed
        connected = conn.execute(text("SELECT started_at FROM calls WHERE outcome = 'connected'")).scalars().all()
        from flows.hours import is_open

        assert all(is_open(datetime.fromisoformat(s).replace(tzinfo=UTC).astimezone(LONDON)) for s in connected)
    engine.dispose()
