"""Console sessions: what a login puts in the (signed cookie) session, and what makes a
session no longer count.  The cookie alone is not trusted: it names the account's
session version, so the server can end it (logout, an admin's change), and the time it
was issued, so it ends after CONSOLE_SESSION_MAX_HOURS however active it is."""
from __future__ import annotations

import secrets

from flask import session

from console.security import csrf_token
from desk.clock import now
from models.staff import StaffUser


def begin(user: StaffUser) -> None:
    """A new session for USER: nothing from before login survives (fixation), and a
    fresh nonce makes the cookie differ from any issued before."""
    session.clear()
    session.permanent = True
    session["staff_id"] = user.id
    session["role"] = user.role
    session["version"] = user.session_version
    session["nonce"] = secrets.token_urlsafe(16)
    session["login_at"] = session["active_at"] = now().timestamp()
    csrf_token()


def holds(user: StaffUser | None) -> bool:
    """Whether this session still stands for USER: active, same role, same version."""
    return (user is not None and user.active and user.role == session.get("role")
            and session.get("version") == user.session_version)
