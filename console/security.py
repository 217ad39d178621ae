"""Protections on every /console request: CSRF tokens on POSTs, the idle timeout and
the absolute lifetime, session cookie flags and security headers.  The Twilio webhooks
(/ivr, /sms) and the bearer-token API (/api/v1) are left as they are, except for HSTS,
which every response over https carries."""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import current_app, render_template, request, session

from desk import settings
from desk.clock import now
from models.db import session as db_session
from models.staff import StaffUser
from services.audit_log import record

PREFIX = "/console"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HSTS = "max-age=31536000; includeSubDomains"
# The prefix makes browsers accept the cookie only if Secure, for Path=/ and with no
# Domain: no other host under the domain, nor a plain-http page, can set or shadow it.
HOST_COOKIE_NAME = "__Host-session"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def passive(view):
    """Mark a view the page polls by itself: it does not count as the user being active."""
    view.console_passive = True
    return view


def _in_console() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _check_csrf():
    if request.method not in UNSAFE_METHODS:
        return None
    expected = session.get("csrf_token")
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        return render_template("console/error.html", status=400,
                               message="This form had expired or did not come from the console. "
                                       "Go back, reload the page and try again."), 400
    return None


def _check_lifetime():
    """Log out a session idle for longer than CONSOLE_IDLE_MINUTES, or older than
    CONSOLE_SESSION_MAX_HOURS however active (by the service clock)."""
    if "staff_id" not in session:
        return
    idle = timedelta(minutes=settings.current()["CONSOLE_IDLE_MINUTES"])
    longest = timedelta(hours=settings.current()["CONSOLE_SESSION_MAX_HOURS"])
    current = now().timestamp()
    if current - session.get("login_at", 0) > longest.total_seconds():
        _logged_out("limit")
        return
    if current - session.get("active_at", 0) > idle.total_seconds():
        _logged_out("idle")
        return
    view = _view_function()
    if not getattr(view, "console_passive", False):
        session["active_at"] = current


def _logged_out(why: str) -> None:
    """End the session; the login page says WHY, and the audit log has it."""
    staff_id = session.get("staff_id")
    user = db_session().get(StaffUser, staff_id) if staff_id is not None else None
    session.clear()
    session["expired"] = why
    record(user.email if user else f"staff:{staff_id}", "logout_automatic", f"staff:{staff_id}",
           "session time limit" if why == "limit" else "inactivity", staff_id=staff_id)


def _view_function():
    return current_app.view_functions.get(request.endpoint or "")


def before_request():
    if not _in_console():
        return None
    _check_lifetime()
    return _check_csrf()


def after_request(response):
    if (current_app.config.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if not _in_console():
        return response
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "console.static":
        # Console pages can carry victims' details: never keep them in a cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def cookie_secure(app) -> bool:
    """Secure cookies when the service is reached over https (PUBLIC_BASE_URL) and
    always in production (its __Host- cookie must be); plain http only for local
    development, where a Secure cookie would never come back."""
    if app.config.get("DESK_ENV") == "production":
        return True
    choice = app.config["CONSOLE_COOKIE_SECURE"].lower()
    if choice in ("true", "1", "yes"):
        return True
    if choice in ("false", "0", "no"):
        return False
    return (app.config.get("PUBLIC_BASE_URL") or "").startswith("https://")


def init_app(app) -> None:
    idle = timedelta(minutes=app.config["CONSOLE_IDLE_MINUTES"])
    app.config.update(
        PERMANENT_SESSION_LIFETIME=idle,  # the cookie dies with the idle timeout too
        SESSION_REFRESH_EACH_REQUEST=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cookie_secure(app),
    )
    if app.config["DESK_ENV"] == "production":
        app.config.update(SESSION_COOKIE_NAME=HOST_COOKIE_NAME, SESSION_COOKIE_PATH="/",
                          SESSION_COOKIE_DOMAIN=None)
    app.before_request(before_request)
    app.after_request(after_request)
