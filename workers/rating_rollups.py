"""Nightly: keep the settled days' and months' rating counts (both date meanings), so
a year's ratings summary reads a few kept rows instead of every rating in it."""
from __future__ import annotations

from desk import clock
from models.db import session
from reports.rating_rollups import CONTACT, RATED, keep_settled
from workers.runtime import job


@job
def keep_settled_ratings() -> dict[str, int]:
    """Keep every settled day and month not kept yet, and count open contact days
    again; returns the days counted per meaning."""
    now = clock.now()
    return {meaning: keep_settled(session(), meaning, now) for meaning in (CONTACT, RATED)}
