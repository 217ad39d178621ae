"""Bearer tokens for the case system's use of the JSON API (only their hashes are kept),
each limited to the scopes it is given and, if chosen, to a last day."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlmodel import select

from desk.clock import LONDON
from models.db import session, utcnow
from models.tokens import SCOPES, ApiToken, hash_token


def checked_scopes(scopes: Iterable[str]) -> str:
    """SCOPES as stored (sorted, space-separated); ValueError for none or an unknown one."""
    chosen = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)} (known: {', '.join(SCOPES)})")
    if not chosen:
        raise ValueError("choose at least one scope")
    return " ".join(chosen)


def end_of(day: date) -> datetime:
    """A token 'expiring on' DAY works to the end of that London day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def last_day(expires_at: datetime) -> date:
    """The London day a token expiring at EXPIRES_AT was given as its last (end_of's inverse)."""
    return (expires_at.astimezone(LONDON) - timedelta(days=1)).date()


def issue_token(name: str, *, scopes: Iterable[str], expires_at: datetime | None = None) -> str:
    """Create (or re-issue a revoked) token NAME with SCOPES, working until EXPIRES_AT
    if given; returns the secret, shown once."""
    stored = checked_scopes(scopes)
    if expires_at is not None and expires_at <= utcnow():
        raise ValueError("the expiry is in the past")
    db = session()
    token = "vfd_" + secrets.token_urlsafe(32)
    row = db.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if row and row.revoked_at is None:
        raise ValueError(f"a token named {name!r} already exists; revoke it first")
    row = row or ApiToken(name=name, token_hash="")
    row.token_hash, row.revoked_at, row.created_at = hash_token(token), None, utcnow()
    row.scopes, row.expires_at, row.last_used_at = stored, expires_at, None
    db.add(row)
    db.commit()
    return token
