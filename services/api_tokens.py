"""Bearer tokens for the case system's use of the JSON API (only their hashes are kept)."""
from __future__ import annotations

import secrets

from sqlmodel import select

from models.db import session, utcnow
from models.tokens import ApiToken, hash_token


def issue_token(name: str) -> str:
    """Create (or re-issue a revoked) token NAME; returns the secret, shown once."""
    db = session()
    token = "vfd_" + secrets.token_urlsafe(32)
    row = db.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if row and row.revoked_at is None:
        raise ValueError(f"a token named {name!r} already exists; revoke it first")
    row = row or ApiToken(name=name, token_hash="")
    row.token_hash, row.revoked_at, row.created_at = hash_token(token), None, utcnow()
    db.add(row)
    db.commit()
    return token
