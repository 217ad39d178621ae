"""Fixtures for the caller's side of the phone line: callers through the emulator
(tests/fixtures/calls.py).  Golden transcripts: tests/support/golden.py.

Calls check staffing before the queue (ivr/effects.py ``on_duty``): every test with a
database has one agent on duty (busy, so the router never rings them) unless it asks
for ``nobody_on_duty``."""
import pytest

from tests.fixtures.agents import add_agent  # noqa: F401
from tests.fixtures.calls import dial  # noqa: F401


@pytest.fixture
def nobody_on_duty():
    """No agent on duty: the desk's queue would be answered by nobody."""


@pytest.fixture(autouse=True)
def someone_on_duty(request):
    if "app" in request.fixturenames and "nobody_on_duty" not in request.fixturenames:
        request.getfixturevalue("add_agent")("On duty", "+447700900999", state="busy")
