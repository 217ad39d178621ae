"""Bounds on query parameters: a date far outside the desk's life, or a number no
database column holds, is a 400 naming the parameter rather than an overflow deep
in a query."""
from __future__ import annotations

from datetime import date, datetime

from desk.keyset import EARLIEST, LATEST

MAX_OFFSET = 100_000
_RANGE = f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"


def in_range(value: date | datetime) -> date | datetime:
    """VALUE, or ValueError if it is outside EARLIEST..LATEST (an aware datetime is
    compared as an instant; a date or naive time by its calendar date)."""
    try:
        if isinstance(value, datetime) and value.tzinfo is not None:
            inside = EARLIEST <= value <= LATEST
        else:
            day = value.date() if isinstance(value, datetime) else value
            inside = EARLIEST.date() <= day <= LATEST.date()
    except OverflowError:  # an offset that pushes it past year 9999
        inside = False
    if not inside:
        raise ValueError(_RANGE)
    return value
