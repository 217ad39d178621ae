"""Supervisors' pages: wallboard, call log, KPIs, intervals, agent activity and ratings."""
from __future__ import annotations

# each page module adds its routes to the blueprint when imported
from console.supervisor import formatting, views_calls, views_history, views_kpis, views_ratings, views_wallboard  # noqa: F401
from console.supervisor.blueprint import bp

__all__ = ["bp"]
