"""Fixtures for the fault and retention tests: the SMS side's and the phone line's
helpers (texters, engagements, cases, emulated callers) are shared, not copied."""
from tests.fixtures.calls import dial  # noqa: F401
from tests.fixtures.texts import case, deliver, engage, outbox, texter  # noqa: F401
