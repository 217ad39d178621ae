"""Kept rows of a rollup table (a row per period and key) summed over runs of kept months
and days, and the borough / officer conditions, for rating_rollups and response_counts."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, union_all
from sqlmodel import Session, select


def summed(db: Session, table, spans: list[tuple[str, date, date]], key: tuple[str, ...],
           counts: tuple[str, ...], *conditions) -> list[tuple]:
    """(*KEY, *SUM(COUNTS)) rows of TABLE over each (period, first start, last start) span,
    rows matching CONDITIONS.  A key range per span, UNIONed: with an OR, or an IN list,
    SQLite (and PostgreSQL before it has statistics) scans every row instead."""
    parts = [select(*[getattr(table, name) for name in key + counts]).where(
        table.period == period, table.start >= first, table.start <= last, *conditions)
        for period, first, last in spans]
    if not parts:
        return []
    rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    grouped = [rows.c[name] for name in key]
    return db.exec(select(*grouped, *[func.sum(rows.c[name]) for name in counts]).group_by(*grouped)).all()


def of(table, borough: str | None, officer_id: str | None) -> list:
    """Conditions for TABLE's rows (a rollup, or engagements) of one borough and/or
    officer (none: everyone's)."""
    return ([table.borough == borough] if borough else []) + ([table.officer_id == officer_id] if officer_id else [])
