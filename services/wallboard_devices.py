"""Wall screens allowed to show the wallboard: an admin issues one a secret (shown
once; only its hash is kept) and can revoke it.  A device reads the wallboard's
figures and nothing else; it is not a staff session, so the staff session lifetimes
do not end it."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import select

from models.db import session, utcnow
from models.wallboard import WallboardDevice, hash_secret

PREFIX = "vfw_"
# last_seen_at is written at most this often, not on every poll
SEEN_EVERY = timedelta(minutes=1)


def issue(name: str, created_by: str | None) -> str:
    """A new device NAME (or a revoked one re-issued); returns the secret, shown once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("give the screen a name of at most 100 characters")
    db = session()
    row = db.exec(select(WallboardDevice).where(WallboardDevice.name == name)).first()
    if row is not None and row.revoked_at is None:
        raise ValueError(f"a wall screen named {name!r} already exists; revoke it first")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = row or WallboardDevice(name=name, token_hash="")
    row.token_hash, row.created_at, row.created_by = hash_secret(secret), utcnow(), created_by
    row.revoked_at, row.last_seen_at = None, None
    db.add(row)
    db.commit()
    return secret


def revoke(device_id: int, at: datetime) -> WallboardDevice | None:
    db = session()
    row = db.get(WallboardDevice, device_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = at
        db.add(row)
        db.commit()
    return row


def devices() -> list[WallboardDevice]:
    return list(session().exec(select(WallboardDevice).order_by(WallboardDevice.name)).all())


def holder(secret: str | None, at: datetime) -> WallboardDevice | None:
    """The live device SECRET belongs to, or None (unknown, malformed or revoked)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    db = session()
    row = db.exec(select(WallboardDevice).where(WallboardDevice.token_hash == hash_secret(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.last_seen_at is None or at - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = at
        db.add(row)
        db.commit()
    return row
