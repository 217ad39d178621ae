"""The Victim Voice Forum's organisers (role ``forum``): the victims who asked to hear
about the forum, and satisfaction by community in aggregates of at least ten."""
from __future__ import annotations

from console.forum.views import bp

__all__ = ["bp"]
