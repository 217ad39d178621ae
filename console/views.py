"""Logging in and out, the landing page, and the audit log."""
from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from sqlmodel import select

from console import errors, sessions, throttle, timefmt
from console.audit import audit, audit_as
from console.auth import current_staff, has_role, require_role
from console.security import csrf_token
from console.supervisor.formatting import csv_download
from console.supervisor.forms import Form
from desk.clock import LONDON, london_now
from flows.phone import try_e164
from models.db import session as db_session
from models.staff import StaffUser
from reports import audit_search
from services import passwords
from services.staff_accounts import end_sessions

log = logging.getLogger(__name__)

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static")
errors.install(bp)

LOGIN_FAILED = "That email and password do not match an active account."
AUDIT_PAGE_SIZE = 100
AUDIT_FILTERS = ("phone", "case", "staff", "subject", "from", "to")
AUDIT_CSV_HEADER = ("when (Europe/London)", "who", "action", "subject", "why", "case id")


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
    # A page's own poll (fetch) that follows the redirect here must not use up the
    # reason: the page then reloads, and the login page it lands on says why.
    navigating = request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    expired = session.pop("expired", False) if navigating else session.get("expired", False)
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
        audit_as(email, None, "login_failed", "login", "too many failed attempts from this address")
        return failed(throttle.too_many(wait), 429)
    db = db_session()
    user = db.exec(select(StaffUser).where(StaffUser.email == email)).first()
    if user is not None and not user.active:
        user = None  # a disabled account is answered as an unknown email
    # The dummy verification keeps an unknown email about as slow as a wrong password.
    ok = passwords.verify(user.password_hash if user else None, password)
    subject = f"staff:{user.id}" if user else "login"
    staff_id = user.id if user else None
    wait = throttle.account_wait(user, email)
    if wait:
        audit_as(email, staff_id, "login_failed", subject, "account locked")
        return failed(throttle.too_many(wait), 429)
    if user is None or not ok:
        throttle.record_failure(ip, user, email)
        if user is not None:
            db.add(user)
            db.commit()
            log.info("console login failed for staff %s", user.id)
        audit_as(email, staff_id, "login_failed", subject, "wrong password" if user else "no such active account")
        wait = throttle.account_wait(user, email)
        if wait:
            audit_as(email, staff_id, "lockout", subject, throttle.too_many(wait))
            return failed(throttle.too_many(wait), 429)
        return failed()
    throttle.record_success(user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    db.add(user)
    db.commit()
    sessions.begin(user)
    audit_as(user.email, user.id, "login", f"staff:{user.id}", user.role)
    log.info("console login for staff %s", user.id)
    return redirect(target or home_for(user))


@bp.post("/logout")
def logout():
    user = current_staff()
    if user is not None:
        audit("logout", f"staff:{user.id}")
        # Ends this account's sessions everywhere, a copied cookie too.
        end_sessions(user)
        db = db_session()
        db.add(user)
        db.commit()
    session.clear()
    return redirect(url_for("console.login"))


def _audit_filters(db) -> tuple[Form, audit_search.AuditFilters | None]:
    form = Form({name: request.args.get(name, "") for name in AUDIT_FILTERS})
    days = form.day_range(london_now().date(), None)
    phone = None
    if form.text("phone", 40):
        phone = try_e164(form.args["phone"])
        if phone is None:
            form.errors.append("Phone number must be a UK number like 07700 900123, or +44…")
    case = None
    if form.text("case", 64):
        case = audit_search.find_case(db, form.args["case"].strip())
        if case is None:
            form.errors.append("No case has that crime reference.")
    staff_email = (form.text("staff", 254) or "").lower() or None
    subject = form.text("subject", 100)
    if form.errors:
        return form, None
    return form, audit_search.AuditFilters(phone=phone, case=case, staff=staff_email, subject=subject, days=days)


def _audit_query(form: Form) -> str:
    return urlencode({k: v for k, v in form.args.items() if v})


@bp.get("/audit")
@require_role("supervisor")
def audit_log():
    db = db_session()
    form, filters = _audit_filters(db)
    rows, next_cursor, errors = [], None, list(form.errors)
    if filters is not None:
        try:
            rows, next_cursor = audit_search.page(db, filters, request.args.get("cursor") or None, AUDIT_PAGE_SIZE)
        except ValueError:
            errors.append("That page link is not valid; start again from the first page.")
    # Looking at the audit log is itself recorded: what was searched for, never the number.
    searched = ",".join(k for k in AUDIT_FILTERS if form.args.get(k)) or "all"
    audit("view_audit_log", f"audit?{searched}"[:100], _audit_why(filters),
          phone=filters.phone if filters else None, case_id=filters.case.id if filters and filters.case else None)
    query = _audit_query(form)
    return render_template("console/audit.html", rows=rows, form=form, errors=errors, query=query,
                           next_query=urlencode({**{k: v for k, v in form.args.items() if v}, "cursor": next_cursor})
                           if next_cursor else None, first_page=not request.args.get("cursor"),
                           subject_link=subject_link), 400 if errors else 200


def _audit_why(filters) -> str | None:
    if filters is None:
        return None
    parts = [f"staff {filters.staff}" if filters.staff else "", f"case {filters.case.id}" if filters.case else "",
             "a phone number" if filters.phone else "",
             f"{filters.days.first:%d/%m/%Y} to {filters.days.last:%d/%m/%Y}" if filters.days else ""]
    return "; ".join(p for p in parts if p) or None


@bp.get("/audit.csv")
@require_role("supervisor")
def audit_log_csv():
    db = db_session()
    form, filters = _audit_filters(db)
    if filters is None:
        return render_template("console/audit.html", rows=[], form=form, errors=form.errors, query="",
                               next_query=None, first_page=True, subject_link=subject_link), 400
    audit("export_audit_log", f"audit.csv?{','.join(k for k in AUDIT_FILTERS if form.args.get(k)) or 'all'}"[:100],
          _audit_why(filters), phone=filters.phone, case_id=filters.case.id if filters.case else None)
    return csv_download("audit-log", AUDIT_CSV_HEADER, (
        (london_time(r.at, "%d/%m/%Y %H:%M:%S"), r.staff_email, r.action, r.subject, r.why, r.case_id)
        for r in audit_search.iter_rows(db, filters)))


def subject_link(subject: str) -> str | None:
    """The console page an entry's subject names, where there is one."""
    kind, _, ident = subject.partition(":")
    if not ident.isdigit():
        return None
    endpoints = {"call": ("supervisor.call_detail", "call_id"), "callback": ("agent.callback_detail", "callback_id")}
    if kind in endpoints and endpoints[kind][0] in _view_functions():
        endpoint, arg = endpoints[kind]
        return url_for(endpoint, **{arg: int(ident)})
    if kind == "case":
        return url_for("console.audit_log", case=f"case:{ident}")
    if kind == "staff" and has_role(current_staff(), "admin"):
        return url_for("admin.staff") + f"#staff-{ident}"
    return None


def nav_context():
    user = current_staff()
    return {"csrf_token": csrf_token, "current_staff": user, "staff_user": user, "current_app": current_app,
            "has_role": lambda *roles: has_role(user, *roles),
            "has_endpoint": lambda name: name in _view_functions()}


def british_day(value) -> str:
    """Template filter: a date (or its ISO text) as dd/mm/yyyy."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def london_time(value, fmt: str | None = None) -> str:
    """Template filter: a stored UTC time as the desk reads it (Europe/London); without
    FMT, British and short (timefmt.when)."""
    if fmt is None:
        return timefmt.when(value)
    return value.astimezone(LONDON).strftime(fmt) if value is not None else "—"
