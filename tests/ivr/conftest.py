"""Fixtures for the caller's side of the phone line: a fixed clock, callers through
the emulator (signatures on), and golden transcripts.

Golden transcripts live in tests/ivr/golden/<name>.txt and are compared exactly;
run with UPDATE_GOLDEN=1 to rewrite them after a deliberate change (then read the
diff: it is what callers will hear).
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
from emulator.caller import Caller

GOLDEN = Path(__file__).resolve().parent / "golden"

VICTIM = "+447911123456"
STRANGER = "+447911123457"
OTHER_PHONE = "+447911123458"



@pytest.fixture
def dial(client, clock):
    """Start a call from ``from_`` (at the clock's time, or ``at``) and return the Caller."""

    def make(from_: str = VICTIM, *, at: datetime | None = None, call_sid: str | None = None,
             status_callbacks: bool = True) -> Caller:
        if at is not None:
            clock.current = at
        call = Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=from_, to=DESK_NUMBER,
                      status_url="/ivr/status" if status_callbacks else None, clock=clock, call_sid=call_sid)
        return call.dial()

    return make


def assert_golden(name: str, calls: Caller | list[tuple[str, Caller]], header: str) -> None:
    """The whole call (or calls, each under a heading), as the caller experienced it,
    must match the golden file."""
    if isinstance(calls, Caller):
        calls = [("", calls)]
    text = f"# {header}\n"
    for heading, call in calls:
        text += (f"\n## {heading}\n" if heading else "") + "\n".join(call.transcript) + "\n"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden transcript {path.name}; run with UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"transcript differs from {path.name} (UPDATE_GOLDEN=1 rewrites it):\n{text}"
