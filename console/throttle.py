"""Login limits that stop guessing but cannot lock the desk out: only failed attempts
count, per IP address and per account together.

Per IP address: a count of failures in Redis (across all web workers) for
CONSOLE_LOGIN_IP_WINDOW_SECONDS.  Behind the TLS proxy the address is the client's, as
the proxy reports it (PROXY_HOPS); without that every member of staff would share one.

Per account: the lockout in the database (survives a Redis flush).  Emails with no
active account are counted in Redis the same way, so a lockout does not confirm that
an account exists."""
from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from flask import current_app

from desk import settings
from desk.metrics import LOGIN_FAILURES, LOGIN_LOCKOUTS
from desk.redis_conn import connect
from models.db import utcnow
from models.staff import StaffUser


def _redis():
    return connect(current_app.config)


def _ip_key(ip: str) -> str:
    return f"console:login:ip:{ip}"


def _email_keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.encode()).hexdigest()  # no addresses in Redis
    return f"console:login:email:{digest}:failures", f"console:login:email:{digest}:locked"


def too_many(seconds: float) -> str:
    """What a locked-out person reads: to wait, and for how long."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"Too many attempts. Try again in {minutes} minute{'' if minutes == 1 else 's'}."


def ip_wait(ip: str) -> float:
    """Seconds before IP may try again (0: now)."""
    conn = _redis()
    failures = conn.get(_ip_key(ip))
    if failures is None or int(failures) < settings.current()["CONSOLE_LOGIN_IP_LIMIT"]:
        return 0
    return max(conn.ttl(_ip_key(ip)), 1)


def account_wait(user: StaffUser | None, email: str) -> float:
    """Seconds before EMAIL (USER: its active account, or None) may try again (0: now)."""
    if user is not None:
        if user.locked_until is None or user.locked_until <= utcnow():
            return 0
        return (user.locked_until - utcnow()).total_seconds()
    return max(_redis().ttl(_email_keys(email)[1]), 0)


def record_failure(ip: str, user: StaffUser | None, email: str) -> None:
    """One failed attempt from IP at EMAIL; the caller commits USER."""
    LOGIN_FAILURES.inc()
    conn = _redis()
    key = _ip_key(ip)
    if conn.incr(key) == 1:
        conn.expire(key, settings.current()["CONSOLE_LOGIN_IP_WINDOW_SECONDS"])  # the window starts at the first
    max_failures = settings.current()["CONSOLE_LOGIN_MAX_FAILURES"]
    lockout = timedelta(minutes=settings.current()["CONSOLE_LOCKOUT_MINUTES"])
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = utcnow() + lockout
            user.failed_logins = 0
            LOGIN_LOCKOUTS.inc()
        return
    failures, locked = _email_keys(email)
    count = conn.incr(failures)
    conn.expire(failures, int(lockout.total_seconds()))
    if count >= max_failures:
        conn.set(locked, 1, ex=max(1, int(lockout.total_seconds())))
        conn.delete(failures)
        LOGIN_LOCKOUTS.inc()


def record_success(user: StaffUser) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
