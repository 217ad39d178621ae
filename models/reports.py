"""Figures kept for the supervisors' reports."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db import utcnow


class KpiDay(SQLModel, table=True):
    """One settled London day's KPI sums (console/supervisor/reports/kpis.py): a past
    day's calls do not change, so a year of figures is 365 small rows, not a scan of
    every call in it."""
    __tablename__ = "kpi_days"

    day: date = Field(primary_key=True)
    service_level_seconds: int = Field(primary_key=True)
    counts: dict = Field(sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)
