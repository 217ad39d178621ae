"""Console accounts: made by the `staff` command and by admins in the console."""
from __future__ import annotations

from sqlmodel import select

from models.agents import Agent
from models.db import session
from models.staff import STAFF_ROLES, StaffUser
from services import passwords


def create_account(email: str, role: str, password: str, agent_id: int | None = None) -> StaffUser:
    """Validate and store a new account (shared by the CLI and the admin pages)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise ValueError("give a valid email address")
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    problem = passwords.problem_with(password)
    if problem:
        raise ValueError(f"password: {problem}")
    db = session()
    if db.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise ValueError(f"an account for {email} already exists")
    if role == "agent" and agent_id is None:
        raise ValueError("an agent account must be linked to a desk agent (the one that takes calls)")
    if agent_id is not None and db.get(Agent, agent_id) is None:
        raise ValueError("no such desk agent")
    user = StaffUser(email=email, role=role, password_hash=passwords.hash_password(password),
                     agent_id=agent_id if role == "agent" else None)
    db.add(user)
    db.commit()
    return user


def end_sessions(user: StaffUser) -> None:
    """End every console session USER has (on the caller's commit): logout, a new
    password, a new role, disabled."""
    user.session_version += 1
