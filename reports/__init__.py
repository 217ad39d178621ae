"""Supervisors' reports: pure queries taking a SQLModel Session and plain values,
returning plain dataclasses.  No Flask here; the views and the benchmark call these.

Public functions (``days`` is ``london.DayRange(first: date, last: date)``, London days
inclusive; ``now`` an aware datetime):

- ``wallboard.wallboard(db, now, overdue_minutes=30) -> Wallboard``
- ``calllog.call_page(db, CallFilters(start=, end=, outcome=, agent_id=, min_wait_seconds=,
  language=), cursor: str | None = None, limit=50) -> CallPage(calls, next_cursor)``
- ``calllog.iter_calls(db, CallFilters, chunk=1000) -> Iterator[Call]`` (CSV export)
- ``calllog.call_timeline(db, call_id: int) -> Timeline | None``
- ``kpis.kpis(db, days, period="day" | "week", service_level_seconds=60) -> KpiReport``
- ``ratings.rating_counts(db, RatingFilters) -> RatingCounts`` (one pass; ``.overall()``,
  ``.by("borough" | "officer")``, ``.exceptional(min_count, min_mean)``: what the page uses)
- ``ratings.overall(db, RatingFilters(days, borough=None, officer_id=None)) -> Distribution``
- ``ratings.boroughs(db) -> list[str]``
- ``ratings.distribution(db, RatingFilters, by="borough" | "officer") -> list[Distribution]``
- ``ratings.weekly_trend(db, RatingFilters) -> list[TrendPoint]``
- ``ratings.exceptional_officers(db, RatingFilters, min_count: int, min_mean: float) -> list[Officer]``
- ``ratings.comments(db, RatingFilters, cursor: str | None = None, limit=25) -> CommentPage``
- ``ratings.iter_ratings(db, RatingFilters, chunk=1000) -> Iterator[RatingRow]`` (CSV export)

Each module's docstring names the indexes that serve it (migration 0410_reports).
"""
