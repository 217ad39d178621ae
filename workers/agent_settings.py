"""Tunables for agent routing and callbacks (defaults and meanings: desk/config.py)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from desk import config


def setting(name: str) -> str:
    return str(config.setting(name))


def seconds(name: str) -> int:
    return int(float(setting(name)))


def duration(name: str) -> timedelta:
    return timedelta(seconds=seconds(name))


def retry_spacing() -> tuple[timedelta, ...]:
    return tuple(timedelta(minutes=float(m)) for m in setting("CALLBACK_RETRY_MINUTES").split(",") if m.strip())


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
