"""Desk-hours overrides, the phone line's announcement, and API tokens."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from console.admin.blueprint import bp
from console.audit import audit
from console.auth import current_staff, require_role
from console.timefmt import parse_day, parse_moment
from desk import clock
from desk.clock import LONDON
from flows import hours as hours_rules
from models.db import session
from models.staff import HoursOverride
from models.tokens import SCOPES, ApiToken
from services import announcements
from services.api_tokens import end_of, issue_token, last_day
from services.hours import CACHE_SECONDS, forget_cached_overrides, hours_overrides, normalise, weekly_hours


def _hours_text(value: hours_rules.Hours) -> str:
    return "closed" if value is None else hours_rules.span_text(value).replace("23:59-", "24:00-")


def _hours_page(confirm: dict | None = None, status: int = 200):
    rows = session().exec(select(HoursOverride).order_by(HoursOverride.day)).all()
    weekly = weekly_hours()
    today = clock.london_now().date()
    week = [(today + timedelta(days=n), _hours_text(hours_rules.hours_on(today + timedelta(days=n), hours_overrides(),
                                                                        weekly)))
            for n in range(7)]
    return render_template("console/admin_hours.html", rows=rows, week=week, today=today,
                           normal={"weekdays": _hours_text(weekly.weekdays), "weekends": _hours_text(weekly.weekends),
                                   "bank holidays": _hours_text(weekly.bank_holidays)},
                           default_hours=_hours_text(weekly.weekdays), confirm=confirm,
                           announcement=announcements.current_row(), london=LONDON), status


@bp.get("/hours")
@require_role("admin")
def hours():
    return _hours_page()
@bp.post("/hours/announcement")
@require_role("admin")
def announcement_set():
    try:
        until = parse_moment(request.form.get("until") or "").replace(tzinfo=LONDON)
    except ValueError:
        flash("Not saved: give when it stops as a date and time, e.g. 24/12/2026 18:00.", "error")
        return redirect(url_for("admin.hours")), 303
    try:
        announcements.set_announcement(session(), request.form.get("text_en", ""), request.form.get("text_pl"),
                                       until, by=current_staff().email)
    except ValueError as exc:
        flash(f"Not saved: {exc}.", "error")
        return redirect(url_for("admin.hours")), 303
    audit("set_announcement", "announcement", f"until {until:%d/%m/%Y %H:%M}")
    flash(f"Callers hear the announcement within {announcements.CACHE_SECONDS} seconds, "
          f"until {until:%d/%m/%Y %H:%M}.", "status")
    return redirect(url_for("admin.hours")), 303


@bp.post("/hours/announcement/clear")
@require_role("admin")
def announcement_clear():
    announcements.clear(session())
    audit("clear_announcement", "announcement")
    flash(f"No announcement: callers stop hearing it within {announcements.CACHE_SECONDS} seconds.", "status")
    return redirect(url_for("admin.hours")), 303


@bp.post("/hours")
@require_role("admin")
def hours_set():
    db = session()
    kind = request.form.get("kind", "hours")
    value = "closed" if kind == "closed" else (request.form.get("hours") or "").strip()
    try:
        typed = (request.form.get("day") or "").strip()
        day, value = normalise(parse_day(typed).isoformat() if typed else "", value)
    except ValueError as exc:
        flash(f"Not saved: {exc}.", "error")
        return redirect(url_for("admin.hours")), 303
    reason = (request.form.get("reason") or "").strip()[:200] or None
    reason_pl = (request.form.get("reason_pl") or "").strip()[:200] or None
    if reason_pl and not reason:
        flash("Not saved: give the reason in English too; English callers hear it.", "error")
        return redirect(url_for("admin.hours")), 303
    if value == "closed" and request.form.get("confirmed") != "yes":
        # Closing a day sends every caller that day to the closed message: say so first.
        return _hours_page({"day": day, "reason": reason or "", "reason_pl": reason_pl or "",
                            "usual": _hours_text(hours_rules.hours_on(date.fromisoformat(day), None, weekly_hours()))})
    row = db.exec(select(HoursOverride).where(HoursOverride.day == day)).first() or HoursOverride(day=day, hours=value)
    row.hours, row.reason, row.reason_pl = value, reason, reason_pl
    row.updated_by, row.updated_at = current_staff().email, clock.now()
    db.add(row)
    db.commit()
    forget_cached_overrides()
    audit("set_hours_override", f"hours:{day}", value)
    flash(f"{date.fromisoformat(day):%d/%m/%Y}: {value}. The phone line follows it within {CACHE_SECONDS} seconds.",
          "status")
    return redirect(url_for("admin.hours")), 303


@bp.post("/hours/<int:override_id>/delete")
@require_role("admin")
def hours_delete(override_id: int):
    db = session()
    row = db.get(HoursOverride, override_id)
    if row is None:
        abort(404, description="No such override.")
    db.delete(row)
    db.commit()
    forget_cached_overrides()
    audit("delete_hours_override", f"hours:{row.day}")
    flash(f"{date.fromisoformat(str(row.day)):%d/%m/%Y}: back to normal hours within {CACHE_SECONDS} seconds.", "status")
    return redirect(url_for("admin.hours")), 303


@bp.get("/tokens")
@require_role("admin")
def tokens():
    return _tokens_page(None, None)


def _tokens_page(new_token: str | None, new_name: str | None):
    rows = session().exec(select(ApiToken).order_by(ApiToken.name)).all()
    return render_template("console/admin_tokens.html", rows=rows, new_token=new_token, new_name=new_name,
                           scopes=SCOPES, last_day=last_day, now=clock.now())


@bp.post("/tokens")
@require_role("admin")
def token_create():
    name = (request.form.get("name") or "").strip()
    if not name or len(name) > 100:
        flash("Give the token a name (at most 100 characters).", "error")
        return redirect(url_for("admin.tokens")), 303
    scopes = request.form.getlist("scope")
    if not scopes:
        flash("Choose at least one scope: a token can do only what its scopes allow.", "error")
        return redirect(url_for("admin.tokens")), 303
    expires = (request.form.get("expires") or "").strip()
    try:
        expires_at = end_of(parse_day(expires)) if expires else None
        secret = issue_token(name, scopes=scopes, expires_at=expires_at)
    except ValueError as exc:
        flash(f"Not created: {exc}.", "error")
        return redirect(url_for("admin.tokens")), 303
    audit("create_api_token", f"token:{name}", " ".join(sorted(set(scopes))) + (f"; last day {expires}"
                                                                               if expires else ""))
    # Shown once, on this response only (not stored, not in a redirect or flash).
    return _tokens_page(secret, name), 201


@bp.post("/tokens/<int:token_id>/revoke")
@require_role("admin")
def token_revoke(token_id: int):
    db = session()
    row = db.get(ApiToken, token_id)
    if row is None:
        abort(404, description="No such token.")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        db.add(row)
        db.commit()
        audit("revoke_api_token", f"token:{row.name}")
    flash(f"Token {row.name} revoked.", "status")
    return redirect(url_for("admin.tokens")), 303
