"""Admins' pages: staff accounts, desk agents (skills, phone or client identity),
desk-hours overrides and API tokens.  Every change is written to the audit log."""
from __future__ import annotations

# each page module adds its routes to the blueprint when imported
from console.admin import people, setup, wall_screens  # noqa: F401
from console.admin.blueprint import bp

__all__ = ["bp"]
