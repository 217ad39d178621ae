"""Fixtures for the fault and retention tests: the SMS side's and the phone line's
helpers (texters, engagements, cases, emulated callers) are shared, not copied."""
from tests.ivr.conftest import dial  # noqa: F401
from tests.sms.conftest import case, deliver, engage, outbox, texter  # noqa: F401
