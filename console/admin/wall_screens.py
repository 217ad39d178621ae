"""Wall screens: codes that let a screen show the wallboard without anyone logged in."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from console.admin.blueprint import bp
from console.audit import audit
from console.auth import current_staff, require_role
from desk import clock
from services import wallboard_devices


def _page(new_secret: str | None = None, new_name: str | None = None):
    return render_template("console/admin_wall_screens.html", rows=wallboard_devices.devices(),
                           new_secret=new_secret, new_name=new_name)


@bp.get("/wall-screens")
@require_role("admin")
def wall_screens():
    return _page()


@bp.post("/wall-screens")
@require_role("admin")
def wall_screen_create():
    name = (request.form.get("name") or "").strip()
    try:
        secret = wallboard_devices.issue(name, current_staff().email)
    except ValueError as exc:
        flash(f"Not created: {exc}.", "error")
        return redirect(url_for("admin.wall_screens")), 303
    audit("create_wall_screen", f"wall_screen:{name}")
    # Shown once, on this response only (not stored, not in a redirect or flash).
    return _page(secret, name), 201


@bp.post("/wall-screens/<int:device_id>/revoke")
@require_role("admin")
def wall_screen_revoke(device_id: int):
    row = wallboard_devices.revoke(device_id, clock.now())
    if row is None:
        abort(404, description="No such wall screen.")
    audit("revoke_wall_screen", f"wall_screen:{row.name}")
    flash(f"Wall screen {row.name} revoked: it stops showing the wallboard at its next refresh.", "status")
    return redirect(url_for("admin.wall_screens")), 303
