"""The desk console's own tables: staff accounts, the audit log of who looked at
victims' data, agents' notes on callbacks, desk-hours overrides and the phone line's
announcement, set by admins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from sqlmodel import Field, SQLModel

from models.db import utcnow

STAFF_ROLES = ("agent", "supervisor", "admin", "forum")


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lowercased
    role: str = Field(max_length=20)  # one of STAFF_ROLES
    password_hash: str = Field(max_length=200)  # argon2id, PHC string
    # An agent-role account is the person behind the Agent row that routing rings.
    agent_id: int | None = Field(default=None, foreign_key="agents.id")
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Each console session holds the version it was issued with; raising it (logout,
    # new password, new role, disabled) ends every session the account has.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AuditLog(SQLModel, table=True):
    """Append-only: nothing in the service updates these rows, and only the retention
    job deletes them, whole, after AUDIT_RETENTION_DAYS (services/retention.py)."""
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    staff_id: int | None = Field(default=None, index=True)
    # who: a staff email kept as written (even if the account goes), or api:<token name>
    staff_email: str = Field(max_length=254)
    action: str = Field(max_length=50)
    subject: str = Field(max_length=100, index=True)
    why: str | None = Field(default=None, max_length=500)
    # Whose data it was, to answer "who looked at this victim?" after the call and case
    # rows are gone: the phone number's keyed pseudonym (desk/redact.py, never the
    # number), and the case the view was verified on.
    phone_pseudonym: str | None = Field(default=None, max_length=30, index=True)
    case_id: int | None = Field(default=None, index=True)


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _audit_is_append_only(_mapper, _connection, _row) -> None:
    raise PermissionError("the audit log is append-only")


class CallbackNote(SQLModel, table=True):
    """An agent's record of working a callback: the outcome they chose and a note."""
    __tablename__ = "callback_notes"

    id: int | None = Field(default=None, primary_key=True)
    callback_id: int = Field(foreign_key="callback_requests.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    outcome: str = Field(max_length=30)
    note: str = Field(default="", max_length=2000)
    at: datetime = Field(default_factory=utcnow)


class HoursOverride(SQLModel, table=True):
    """Closures and special hours for one London date; preferred over IVR_HOURS_OVERRIDES."""
    __tablename__ = "hours_overrides"

    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(max_length=10, unique=True)  # YYYY-MM-DD
    hours: str = Field(max_length=20)  # "closed" or "HH:MM-HH:MM"
    reason: str | None = Field(default=None, max_length=200)
    reason_pl: str | None = Field(default=None, max_length=200)  # None: Polish callers hear the English
    updated_by: str | None = Field(default=None, max_length=254)
    updated_at: datetime = Field(default_factory=utcnow)


class Announcement(SQLModel, table=True):
    """A message of the day (or an emergency announcement) an admin set: every caller
    hears it right after the safety notice until it expires.  One at a time: setting
    another replaces it."""
    __tablename__ = "announcements"

    id: int | None = Field(default=None, primary_key=True)
    text_en: str = Field(max_length=500)
    text_pl: str | None = Field(default=None, max_length=500)  # None: Polish callers hear the English
    expires_at: datetime  # UTC
    created_by: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
