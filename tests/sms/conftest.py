"""Fixtures for the SMS side (defined in tests/fixtures/texts.py, which the fault and
retention tests share)."""
from tests.fixtures.texts import case, deliver, engage, outbox, reconcile_deliveries, texter  # noqa: F401
