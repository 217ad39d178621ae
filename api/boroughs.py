"""Boroughs as the force names them (the FORCE_BOROUGHS setting): what a client sends
is matched case-insensitively and stored, or filtered on, in the force's spelling, so
"lambeth" and "Lambeth" are one borough in every report."""
from __future__ import annotations

from desk import settings


def canonical(value: str) -> str:
    """VALUE in the force's spelling; ValueError when it is not one of its boroughs."""
    folded = " ".join(value.split()).casefold()
    for name in settings.current()["FORCE_BOROUGHS"]:
        if name.casefold() == folded:
            return name
    raise ValueError("not one of the force's boroughs (the FORCE_BOROUGHS setting)")


def for_filter(value: str) -> str:
    """A filter's borough in the force's spelling when it is one (any case); any other
    value is kept, matching what older rows hold (or nothing)."""
    try:
        return canonical(value)
    except ValueError:
        return " ".join(value.split())
