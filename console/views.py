"""Logging in and out, the landing page, and the audit log."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from sqlmodel import func, select

from console import errors, sessions, throttle
from console.auth import current_staff, has_role, require_role
from console.security import csrf_token
from desk.clock import LONDON
from models.db import session as db_session
from models.staff import AuditLog, StaffUser
from services import passwords
from services.staff_accounts import end_sessions

log = logging.getLogger(__name__)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static")
errors.install(bp)

LOGIN_FAILED = "That email and password do not match an active account."
AUDIT_PAGE_SIZE = 100


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the console: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or "\\" in target:
        return None
    return target


def home_for(user: StaffUser) -> str:
    if user.role == "agent":
        return url_for("agent.home")
    if user.role == "admin":
        return url_for("admin.staff")
    if user.role == "forum":
        return url_for("forum.consents")
    if "supervisor.wallboard" in _view_functions():
        return url_for("supervisor.wallboard")
    return url_for("agent.callbacks")


def _view_functions():
    return current_app.view_functions


@bp.get("/")
def index():
    user = current_staff()
    if user is None:
        return redirect(url_for("console.login"))
    return redirect(home_for(user))


@bp.get("/login")
def login():
    user = current_staff()
    if user is not None:
        return redirect(_safe_next(request.args.get("next")) or home_for(user))
    expired = session.pop("expired", False)
    return render_template("console/login.html", next=_safe_next(request.args.get("next")) or "",
                           expired=expired, error=None)


@bp.post("/login")
def login_post():
    email = (request.form.get("email") or "").strip().lower()
    password = request.form.get("password") or ""
    target = _safe_next(request.form.get("next"))

    def failed(message: str = LOGIN_FAILED, status: int = 401):
        return render_template("console/login.html", next=target or "", expired=False, error=message,
                               email=email), status

    if not email or not password:
        return failed("Enter your email and password.", 400)
    ip = request.remote_addr or "unknown"  # the client's own, behind PROXY_HOPS proxies
    wait = throttle.ip_wait(ip)
    if wait:
        return failed(throttle.too_many(wait), 429)
    db = db_session()
    user = db.exec(select(StaffUser).where(StaffUser.email == email)).first()
    if user is not None and not user.active:
        user = None  # a disabled account is answered as an unknown email
    # The dummy verification keeps an unknown email about as slow as a wrong password.
    ok = passwords.verify(user.password_hash if user else None, password)
    wait = throttle.account_wait(user, email)
    if wait:
        return failed(throttle.too_many(wait), 429)
    if user is None or not ok:
        throttle.record_failure(ip, user, email)
        if user is not None:
            db.add(user)
            db.commit()
            log.info("console login failed for staff %s", user.id)
        wait = throttle.account_wait(user, email)
        return failed(throttle.too_many(wait), 429) if wait else failed()
    throttle.record_success(user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    db.add(user)
    db.commit()
    sessions.begin(user)
    log.info("console login for staff %s", user.id)
    return redirect(target or home_for(user))


@bp.post("/logout")
def logout():
    user = current_staff()
    if user is not None:
        # Ends this account's sessions everywhere, a copied cookie too.
        end_sessions(user)
        db = db_session()
        db.add(user)
        db.commit()
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("/audit")
@require_role("supervisor")
def audit_log():
    db = db_session()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    query = select(AuditLog)
    staff_email = (request.args.get("staff") or "").strip().lower()
    subject = (request.args.get("subject") or "").strip()
    if staff_email:
        query = query.where(AuditLog.staff_email == staff_email)
    if subject:
        query = query.where(AuditLog.subject == subject)
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = db.exec(query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                   .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    return render_template("console/audit.html", rows=rows, page=page, total=total,
                           more=page * AUDIT_PAGE_SIZE < total, staff=staff_email, subject=subject)


def nav_context():
    user = current_staff()
    return {"csrf_token": csrf_token, "current_staff": user, "staff_user": user, "current_app": current_app,
            "has_role": lambda *roles: has_role(user, *roles),
            "has_endpoint": lambda name: name in _view_functions()}


def london_time(value, fmt: str = "%d %b %H:%M") -> str:
    """Template filter: a stored UTC time as the desk reads it (Europe/London)."""
    return value.astimezone(LONDON).strftime(fmt) if value is not None else "—"
