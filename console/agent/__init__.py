"""Desk agents' pages: state, the call routed to them now (screen pop), the callback
worklist, and posting a case update."""
from __future__ import annotations

# each page module adds its routes to the blueprint when imported
from console.agent import callback_views, inbox_views, views  # noqa: F401
from console.agent.blueprint import bp

__all__ = ["bp"]
