"""The desk the tests run: its public URL, Twilio account and number, and the day it is."""
from __future__ import annotations

from datetime import datetime

from desk.clock import LONDON

PUBLIC_BASE_URL = "https://desk.example.org"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "a1" * 16
DESK_NUMBER = "+442079460000"

# Monday 23 November 2026, 10:00 in London: an ordinary open weekday.
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
