"""No access-log line for the probes: a load balancer asking every few seconds would
bury the lines that matter.  gunicorn writes its access log at INFO on
``gunicorn.access``, and Flask's development server on ``werkzeug``."""
from __future__ import annotations

import logging
import re

ACCESS_LOGGERS = ("gunicorn.access", "werkzeug")
_PROBE = re.compile(r"\"(GET|HEAD) /(healthz|readyz)[ ?]")


class DropProbes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _PROBE.search(record.getMessage())


def install() -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropProbes) for f in logger.filters):
            logger.addFilter(DropProbes())
