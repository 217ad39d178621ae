"""Where log lines go and what they look like, set up once per process.

Production writes one JSON object per line (time, level, logger, message, request_id,
job_id) for the log collector to index; development and tests write plain text.  The
handler on the root logger hides phone numbers and adds the ids, so every logger's
lines, the libraries' included, are covered.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from desk import error_reports
from desk.redact import WithholdNumbers, withhold_numbers
from desk.request_ids import AddIds

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s job=%(job_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(job_id)s"
JSON_NAMES = {"asctime": "time", "levelname": "level", "name": "logger"}
QUIET_LOGGERS = {"alembic": logging.WARNING}


class _Json(JsonFormatter):
    def formatException(self, ei) -> str:
        # this formatter formats the exception afresh, not from the filtered exc_text
        return withhold_numbers(super().formatException(ei))


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or "-"
        record.job_id = getattr(record, "job_id", None) or "-"
        return super().format(record)


def configure_logging(config: Mapping[str, Any]) -> None:
    """Replace this module's root handler (a test makes many apps) and set the level."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "desk", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.desk = True
    handler.addFilter(AddIds())
    handler.addFilter(WithholdNumbers())
    if config.get("DESK_ENV") == "production":
        handler.setFormatter(_Json(JSON_FIELDS, rename_fields=JSON_NAMES, timestamp=False))
    else:
        handler.setFormatter(_Text(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    error_reports.configure(config)
