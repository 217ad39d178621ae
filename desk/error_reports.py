"""Errors sent to Sentry when ``SENTRY_DSN`` is set, with no personal data.

Sentry is told to leave out what it would otherwise collect about a caller (IP
addresses, cookies, request bodies, local variables), and every event is scrubbed of
anything that looks like a phone number before it leaves: its message, exceptions
(values and the source lines around each frame), breadcrumbs (earlier log lines) and
the request's URL and query string.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sentry_sdk

from desk.redact import withhold_numbers

# Parts of an event that can hold text from a request or a log line; the rest (the
# event's id and time, the SDK's and the machine's data) is left as it is.
SCRUBBED = ("message", "logentry", "exception", "threads", "breadcrumbs", "request", "extra", "tags")


def configure(config: Mapping[str, Any]) -> None:
    """Start reporting if SENTRY_DSN is set (``SENTRY_TRANSPORT``: a test's stand-in)."""
    dsn = config.get("SENTRY_DSN")
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=config.get("DESK_ENV"),
        # No personal data: send_default_pii left unset is off (set, it is deprecated in
        # newer SDKs), and the SDK's own event scrubber stays on, which a data_collection
        # option would turn off.
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub,
        transport=config.get("SENTRY_TRANSPORT"),
    )


def scrub(event: dict, _hint: dict | None = None) -> dict:
    """EVENT with every phone number replaced by [number]."""
    for key in SCRUBBED:
        if key in event:
            event[key] = _scrubbed(event[key])
    return event


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return withhold_numbers(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v) for v in value]
    return value
