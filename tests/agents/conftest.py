"""Fixtures for the desk-agent side (defined in tests/fixtures/agents.py, which the
console and security tests share)."""
from tests.fixtures.agents import (  # noqa: F401
    add_agent, call_status, dial, fire_scheduled, pick_up, reconcile_calls, route, rows, sweep, twilio_fetch)

