"""The retention job's settings (defaults and meanings: desk/config.py), checked."""
from __future__ import annotations

from desk import config


def retention_days() -> float:
    days = float(config.setting("RETENTION_DAYS"))
    if days < 1:
        raise ValueError(f"RETENTION_DAYS must be at least 1, not {days:g}")
    return days


def batch_size() -> int:
    size = int(config.setting("RETENTION_BATCH_SIZE"))
    if size < 1:
        raise ValueError(f"RETENTION_BATCH_SIZE must be at least 1, not {size}")
    return size
