"""One JSON object per line in production, plain text elsewhere; no phone number on
any line, whichever logger wrote it."""
import json
import logging

import pytest

from tests.logs.support import root_output


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_production_logs_one_json_object_per_line(restore_logging):
    from desk import request_ids
    from desk.logs import configure_logging

    configure_logging({"DESK_ENV": "production", "SENTRY_DSN": None})
    out = root_output()
    with request_ids.bound("req-1"):
        logging.getLogger("some.module").warning("queue %s is %d deep", "outbound", 3)
    logging.getLogger("other").info("outside a request")
    first, second = [json.loads(line) for line in out.getvalue().splitlines()]
    assert first["message"] == "queue outbound is 3 deep"
    assert (first["level"], first["logger"], first["request_id"]) == ("WARNING", "some.module", "req-1")
    assert first["time"] and "job_id" in first
    assert second["request_id"] is None


def test_development_logs_plain_text(restore_logging):
    from desk import request_ids
    from desk.logs import configure_logging

    configure_logging({"DESK_ENV": "development", "SENTRY_DSN": None})
    out = root_output()
    with request_ids.bound("req-2"):
        logging.getLogger("some.module").warning("hello")
    line = out.getvalue().strip()
    assert not line.startswith("{")
    assert "WARNING some.module" in line and "req-2" in line and line.endswith("hello")


@pytest.mark.parametrize("env", ["production", "development"])
def test_no_line_from_any_logger_carries_a_phone_number(restore_logging, env):
    from desk.logs import configure_logging

    configure_logging({"DESK_ENV": env, "SENTRY_DSN": None})
    out = root_output()
    logging.getLogger("anything.at.all").warning("texting +447911123456 and 07911 123456 (To=%s)", "%2B447911123456")
    try:
        raise ValueError("no answer from +44 7911 123456")
    except ValueError:
        logging.getLogger("elsewhere").exception("failed for 07911123456")
    text = out.getvalue()
    assert "7911" not in text and "123456" not in text
    assert text.count("[number]") >= 5


def test_ids_and_dates_are_not_taken_for_numbers():
    from desk.redact import withhold_numbers

    line = "job 3f2a1234567b on 2026-01-05 10:00 for p_a1234567890bcdef, sid SM1234567890abcdef"
    assert withhold_numbers(line) == line
