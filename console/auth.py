"""Who is logged in to the console, and which roles may see a page.

Roles: ``agent`` (their own work and the calls routed to them), ``supervisor``
(everything), ``admin`` (supervisor rights, plus managing staff and settings), ``forum``
(the Victim Voice Forum's organisers: the consents to hear about it and the equality
aggregates, nothing else).
"""
from __future__ import annotations

import functools

from flask import g, redirect, render_template, request, session, url_for

from console import sessions
from models.db import session as db_session
from models.staff import StaffUser

# A role also holds the rights of the roles listed for it.
IMPLIED = {"admin": {"admin", "supervisor"}, "supervisor": {"supervisor"}, "agent": {"agent"}, "forum": {"forum"}}


def current_staff() -> StaffUser | None:
    """The logged-in, active StaffUser, or None."""
    if "staff_user" not in g:
        user = None
        staff_id = session.get("staff_id")
        if staff_id is not None:
            user = db_session().get(StaffUser, staff_id)
            if not sessions.holds(user):
                user = None  # logged out elsewhere, disabled, re-roled or a new password: log in again
        g.staff_user = user
    return g.staff_user


def has_role(user: StaffUser | None, *roles: str) -> bool:
    return user is not None and bool(IMPLIED.get(user.role, set()) & set(roles))


def require_role(*roles: str):
    """View decorator: anonymous -> the login page (with next=); logged in without
    one of ROLES -> 403.  Admin holds supervisor rights."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_staff()
            if user is None:
                # back to the page after login; a form post cannot be replayed, so not for those
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("console.login", next=target))
            if not has_role(user, *roles):
                return render_template("console/forbidden.html"), 403
            return view(*args, **kwargs)

        return wrapper

    return decorate
