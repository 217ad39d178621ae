"""Keyset pagination, newest first (or in working order, oldest first): a page ends at
a (time, id) row and the next one starts strictly before (or after) it.  Unlike an offset, a page deep in a million rows costs
what the first one does."""
from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from sqlalchemy import and_, or_

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def encode(at: datetime, ident: int) -> str:
    raw = f"{at.isoformat()}|{ident}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    """ValueError for anything ``encode`` did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, ident = raw.partition("|")
        when = datetime.fromisoformat(at)
        number = int(ident)
        # rows are keyed by INTEGER and stamped this century: anything else is made up
        if when.tzinfo is None or not 0 < number < 2**31 or not EARLIEST <= when <= LATEST:
            raise ValueError
        return when, number
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise ValueError("not a cursor this service gave out") from None


def before(query, at_column, id_column, position: tuple[datetime, int] | None):
    """QUERY narrowed to the rows after POSITION in (at, id) descending order."""
    if position is None:
        return query
    at, ident = position
    # The plain ``at <= :at`` is redundant but is what lets PostgreSQL seek the index;
    # it will not use the OR alone and walks every newer row instead.
    return query.where(at_column <= at, or_(at_column < at, and_(at_column == at, id_column < ident)))


def after(query, at_column, id_column, position: tuple[datetime, int] | None):
    """QUERY narrowed to the rows after POSITION in (at, id) ascending order."""
    if position is None:
        return query
    at, ident = position
    # the redundant ``at >= :at`` lets PostgreSQL seek the index, as in ``before``
    return query.where(at_column >= at, or_(at_column > at, and_(at_column == at, id_column > ident)))
