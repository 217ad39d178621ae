"""The web server's access log without survey-link tokens.

``/s/<token>`` is a signed link that opens one victim's survey: whoever reads the
access log could open it too.  gunicorn logs the request line, the path and the
referrer, all of which can hold the link.
"""
from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "gunicorn.access"
_SURVEY_TOKEN = re.compile(r"/s/[^/?#\s\"]+")


class HideSurveyTokens(logging.Filter):
    """Replaces the token in every ``/s/<token>`` of a record with ``[token]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SURVEY_TOKEN.search(message):
            record.msg, record.args = _SURVEY_TOKEN.sub("/s/[token]", message), ()
        return True


def hide_survey_tokens() -> None:
    """Put the filter on gunicorn's access logger, once."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideSurveyTokens) for f in logger.filters):
        logger.addFilter(HideSurveyTokens())
