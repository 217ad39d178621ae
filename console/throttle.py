"""Login throttling: a per-IP limit in Redis (across all web workers) and a
per-account lockout in the database (survives a Redis flush)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from desk import settings
from desk.redis_conn import connect
from models.db import utcnow
from models.staff import StaffUser


def _redis():
    return connect(current_app.config)


def ip_allowed(ip: str) -> bool:
    """Count one attempt from IP; False once it is over the limit for the window."""
    key = f"console:login:ip:{ip}"
    window = settings.current()["CONSOLE_LOGIN_IP_WINDOW_SECONDS"]
    conn = _redis()
    count = conn.incr(key)
    if count == 1:
        conn.expire(key, window)  # the window starts at the first attempt
    return int(count) <= settings.current()["CONSOLE_LOGIN_IP_LIMIT"]


def is_locked(user: StaffUser) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def record_failure(user: StaffUser) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.current()["CONSOLE_LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + timedelta(minutes=settings.current()["CONSOLE_LOCKOUT_MINUTES"])
        user.failed_logins = 0


def record_success(user: StaffUser) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
