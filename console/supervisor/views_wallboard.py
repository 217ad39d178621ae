"""The wallboard: the supervisors' page, the JSON its script polls every few seconds,
and the same board on a wall screen that holds a device secret instead of a login."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for

from console.auth import require_role
from console.security import passive
from console.supervisor.blueprint import bp
from desk import settings
from desk.clock import now
from models.db import session
from reports.wallboard import Thresholds
from reports.wallboard import wallboard as read_wallboard
from services import wallboard_devices

DEVICE_COOKIE = "wallboard_device"
DEVICE_COOKIE_PRODUCTION = "__Host-wallboard"  # Secure, Path=/, no Domain: no other host can set it
DEVICE_COOKIE_DAYS = 400  # the longest a browser keeps a cookie


def figures():
    cfg = settings.current()
    return read_wallboard(session(), now(), cfg["CONSOLE_CALLBACK_OVERDUE_MINUTES"],
                          sl_seconds=cfg["SERVICE_LEVEL_SECONDS"], thresholds=Thresholds.from_settings(cfg))


@bp.app_template_filter("wb_secs")
def duration(value: float | None) -> str:
    """A wait or time in state: 45s, 3m 07s, 1h 05m (as wallboard.js writes it)."""
    if value is None:
        return "–"
    value = int(value)
    if value >= 3600:
        return f"{value // 3600}h {value % 3600 // 60:02d}m"
    return f"{value // 60}m {value % 60:02d}s" if value >= 60 else f"{value}s"


@bp.app_template_filter("wb_pct")
def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


@bp.get("/")
@require_role("supervisor", "admin")
def wallboard():
    return render_template("supervisor/wallboard.html", board=figures(), device=None,
                           source=url_for("supervisor.wallboard_json"),
                           overdue_minutes=settings.current()["CONSOLE_CALLBACK_OVERDUE_MINUTES"])


@bp.get("/wallboard.json")
@passive  # polling is not activity: an unattended wallboard still times out
@require_role("supervisor", "admin")
def wallboard_json():
    return jsonify(figures().to_json())


# --- a wall screen ---------------------------------------------------------------

def _cookie_name() -> str:
    return DEVICE_COOKIE_PRODUCTION if current_app.config.get("DESK_ENV") == "production" else DEVICE_COOKIE


def _device():
    return wallboard_devices.holder(request.cookies.get(_cookie_name()), now())


@bp.get("/wall")
def wall():
    """A wall screen: the board if it holds a live device secret, else the form to enter one."""
    device = _device()
    if device is None:  # 401: nothing here without a code (the form to enter one)
        return render_template("supervisor/wall_pair.html", withdrawn=_cookie_name() in request.cookies), 401
    return render_template("supervisor/wallboard.html", board=figures(), device=device,
                           source=url_for("supervisor.wall_json"),
                           overdue_minutes=settings.current()["CONSOLE_CALLBACK_OVERDUE_MINUTES"])


@bp.post("/wall")
def wall_pair():
    secret = (request.form.get("code") or "").strip()
    if wallboard_devices.holder(secret, now()) is None:
        return render_template("supervisor/wall_pair.html", wrong=True), 401
    response = redirect(url_for("supervisor.wall"), 303)
    response.set_cookie(_cookie_name(), secret, max_age=DEVICE_COOKIE_DAYS * 86400, path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Strict")
    return response


@bp.post("/wall/forget")
def wall_forget():
    response = redirect(url_for("supervisor.wall"), 303)
    response.delete_cookie(_cookie_name(), path="/", secure=current_app.config["SESSION_COOKIE_SECURE"],
                           httponly=True, samesite="Strict")
    return response


@bp.get("/wall/figures.json")
def wall_json():
    if _device() is None:
        return jsonify({"error": "this screen's access was withdrawn"}), 401
    return jsonify(figures().to_json())
