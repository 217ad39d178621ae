"""Which request (and which job) a log line belongs to.

A request takes its id from the ``X-Request-Id`` header when that is a plain token
(a proxy or load balancer in front may have logged it already), or makes one; the
response carries it back.  Jobs the request enqueues carry it in their meta
(desk/queues.py) and a worker restores it, with the job's own id, for the job's lines.
"""
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "X-Request-Id"
META_KEY = "request_id"
# Anything else in the header (spaces, quotes, newlines, a kilobyte of text) could
# forge or break log lines, so it is replaced.
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str | None] = ContextVar("desk_request_id", default=None)
_job_id: ContextVar[str | None] = ContextVar("desk_job_id", default=None)


def current() -> str | None:
    return _request_id.get()


def accept(given: str | None) -> str:
    """GIVEN if it is a sane token, else a new id."""
    if given and _SANE.fullmatch(given):
        return given
    return uuid.uuid4().hex


@contextmanager
def bound(request_id: str | None, job_id: str | None = None) -> Iterator[None]:
    """Lines logged inside carry REQUEST_ID (and JOB_ID)."""
    tokens = _request_id.set(request_id), _job_id.set(job_id)
    try:
        yield
    finally:
        _job_id.reset(tokens[1])
        _request_id.reset(tokens[0])


class AddIds(logging.Filter):
    """Puts ``request_id`` and ``job_id`` on every record a handler formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.job_id = _request_id.get(), _job_id.get()
        return True


class RequestIdMiddleware:
    """WSGI middleware: binds the request's id around the whole request (so the app's
    error handlers and teardown log with it too) and returns it in the response."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        request_id = accept(environ.get("HTTP_X_REQUEST_ID"))

        def start(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != HEADER.lower()] + [(HEADER, request_id)]
            return start_response(status, headers, exc_info)

        with bound(request_id):
            return self.app(environ, start)
