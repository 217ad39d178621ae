"""The configured hours reach every edge: the web pages, the texts we answer with, the
call flow's settings and the callbacks."""
from __future__ import annotations

import html
import re
from datetime import datetime, time

from desk import settings
from desk.clock import LONDON
from flows.hours import WeeklyHours
from services import callbacks
from services import hours as desk_hours

SHORT = {"DESK_HOURS_WEEKDAYS": "09:00-17:00", "DESK_HOURS_WEEKENDS": "closed",
         "DESK_HOURS_BANK_HOLIDAYS": "closed"}


def visible(page) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())


def test_the_web_pages_state_the_configured_hours(app, client):
    assert "Monday to Friday 08:00 to 20:00, Saturday and Sunday 08:00 to 16:00." in visible(client.get("/leaflet"))
    settings.override(app.config, **SHORT)
    text = visible(client.get("/leaflet"))
    assert "Monday to Friday 09:00 to 17:00, closed on Saturday and Sunday." in text
    assert not re.search(r"08:00|20:00|16:00", text)


def test_help_by_text_states_the_configured_hours(app, clock, texter):
    settings.override(app.config, **SHORT)
    [reply] = texter().send("HELP")
    assert "Mon-Fri 09:00-17:00, Sat-Sun closed" in reply and "08:00" not in reply


def test_the_flow_and_the_callbacks_keep_the_configured_hours(app):
    settings.override(app.config, **SHORT)
    with app.app_context():
        assert desk_hours.flow_settings().weekly_hours == WeeklyHours((time(9), time(17)), None, None)
        assert callbacks.desk_open(datetime(2026, 11, 23, 16, 59, tzinfo=LONDON))
        assert not callbacks.desk_open(datetime(2026, 11, 23, 17, 0, tzinfo=LONDON))
        assert not callbacks.desk_open(datetime(2026, 11, 28, 10, 0, tzinfo=LONDON))  # a Saturday
