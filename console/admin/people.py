"""Staff accounts and desk agents."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from console.admin.blueprint import bp
from console.audit import audit
from console.auth import current_staff, require_role
from desk import clock
from flows.dispatch import LANGUAGES, VAWG
from flows.phone import InvalidPhone, to_e164
from models.agents import Agent, AgentState
from models.db import session
from models.staff import STAFF_ROLES, StaffUser
from services import passwords
from services.staff_accounts import create_account, end_sessions

KNOWN_SKILLS = (VAWG, *LANGUAGES)


def _back(endpoint: str):
    return redirect(url_for(endpoint)), 303


# --- staff -------------------------------------------------------------------------

@bp.get("/staff")
@require_role("admin")
def staff():
    db = session()
    users = db.exec(select(StaffUser).order_by(StaffUser.email)).all()
    agents = db.exec(select(Agent).order_by(Agent.name)).all()
    return render_template("console/admin_staff.html", users=users, agents=agents, roles=STAFF_ROLES,
                           agent_names={a.id: a.name for a in agents})


@bp.post("/staff")
@require_role("admin")
def staff_create():
    agent_id = request.form.get("agent_id") or None
    try:
        user = create_account(request.form.get("email", ""), request.form.get("role", ""),
                              request.form.get("password", ""), int(agent_id) if agent_id else None)
    except ValueError as exc:
        flash(f"Not created: {exc}.", "error")
        return _back("admin.staff")
    audit("create_staff", f"staff:{user.id}", user.role)
    flash(f"Created {user.email} ({user.role}).", "status")
    return _back("admin.staff")


def _other_user(staff_id: int) -> StaffUser:
    user = session().get(StaffUser, staff_id)
    if user is None:
        abort(404, description="No such account.")
    if user.id == current_staff().id:
        flash("You cannot change your own account here; ask another admin.", "error")
        return None
    return user


def _last_admin(user: StaffUser) -> bool:
    admins = session().exec(select(StaffUser).where(StaffUser.role == "admin", StaffUser.active)).all()
    return user.role == "admin" and user.active and len(admins) <= 1


@bp.post("/staff/<int:staff_id>")
@require_role("admin")
def staff_update(staff_id: int):
    """Change role / agent link, disable or enable, or set a new password."""
    db = session()
    user = _other_user(staff_id)
    if user is None:
        return _back("admin.staff")
    action = request.form.get("action", "")
    if action == "disable":
        if _last_admin(user):
            flash("That is the last active admin.", "error")
            return _back("admin.staff")
        user.active = False
    elif action == "enable":
        user.active, user.failed_logins, user.locked_until = True, 0, None
    elif action == "role":
        role = request.form.get("role", "")
        agent_id = request.form.get("agent_id") or None
        if role not in STAFF_ROLES:
            flash("Choose a role.", "error")
            return _back("admin.staff")
        if role != "admin" and _last_admin(user):
            flash("That is the last active admin.", "error")
            return _back("admin.staff")
        if role == "agent" and not agent_id:
            flash("An agent account must be linked to a desk agent.", "error")
            return _back("admin.staff")
        if agent_id and db.get(Agent, int(agent_id)) is None:
            flash("No such desk agent.", "error")
            return _back("admin.staff")
        user.role = role
        user.agent_id = int(agent_id) if role == "agent" else None
    elif action == "password":
        password = request.form.get("password", "")
        problem = passwords.problem_with(password)
        if problem:
            flash(f"Password not changed: {problem}.", "error")
            return _back("admin.staff")
        user.password_hash = passwords.hash_password(password)
        user.failed_logins, user.locked_until = 0, None
    else:
        abort(400, description="Unknown action.")
    end_sessions(user)  # every change here ends the account's sessions: it logs in afresh
    db.add(user)
    db.commit()
    audit(f"staff_{action}", f"staff:{user.id}", user.role if action == "role" else None)
    flash(f"{user.email}: {action} saved.", "status")
    return _back("admin.staff")


# --- agents ------------------------------------------------------------------------

@bp.get("/agents")
@require_role("admin")
def agents():
    rows = session().exec(select(Agent).order_by(Agent.name)).all()
    return render_template("console/admin_agents.html", agents=rows, skills=KNOWN_SKILLS)


def _reach(form) -> tuple[str | None, str | None]:
    """(phone E.164, client identity) from the form; ValueError if not exactly one."""
    phone = (form.get("phone") or "").strip()
    client = (form.get("client_identity") or "").strip()
    if bool(phone) == bool(client):
        raise ValueError("give exactly one of a phone number or a Twilio Client identity")
    if phone:
        try:
            return to_e164(phone), None
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from None
    if len(client) > 100 or not all(c.isalnum() or c in "-_." for c in client):
        raise ValueError("a client identity is letters, digits, '-', '_' or '.' (at most 100)")
    return None, client


def _skills(form) -> list[str]:
    return [s for s in KNOWN_SKILLS if s in form.getlist("skills")]


@bp.post("/agents")
@require_role("admin")
def agent_create():
    db = session()
    name = (request.form.get("name") or "").strip()
    try:
        if not name or len(name) > 100:
            raise ValueError("give a name (at most 100 characters)")
        if db.exec(select(Agent).where(Agent.name == name)).first():
            raise ValueError(f"an agent named {name} already exists")
        phone, client = _reach(request.form)
    except ValueError as exc:
        flash(f"Not added: {exc}.", "error")
        return _back("admin.agents")
    agent = Agent(name=name, phone=phone, client_identity=client, skills=_skills(request.form),
                  state=AgentState.OFFLINE.value, state_changed_at=clock.now())
    db.add(agent)
    db.commit()
    audit("create_agent", f"agent:{agent.id}")
    flash(f"Added {agent.name} (offline).", "status")
    return _back("admin.agents")


@bp.post("/agents/<int:agent_id>")
@require_role("admin")
def agent_update(agent_id: int):
    db = session()
    agent = db.get(Agent, agent_id)
    if agent is None:
        abort(404, description="No such agent.")
    try:
        agent.phone, agent.client_identity = _reach(request.form)
    except ValueError as exc:
        flash(f"{agent.name} not changed: {exc}.", "error")
        return _back("admin.agents")
    agent.skills = _skills(request.form)
    db.add(agent)
    db.commit()
    audit("update_agent", f"agent:{agent.id}", ",".join(agent.skills))
    flash(f"{agent.name} saved.", "status")
    return _back("admin.agents")
