"""Bearer tokens for the case-system API, kept only as SHA-256 hashes, each with the
scopes it was given and, if chosen, the time it stops working."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Field, SQLModel

from models.db import utcnow

# One scope per endpoint family; a token can do only what its scopes name.
SCOPES: dict[str, str] = {
    "cases:write": "create and update cases, post case updates",
    "cases:read": "read a case and its updates",
    "engagements:write": "record officers' engagements (schedules survey texts)",
    "surveys:read": "read surveys, ratings and comments; survey QR codes",
    "ratings:read": "read the ratings summary",
    "calls:read": "read the call log (callers' numbers)",
    "callbacks:read": "read callback requests (numbers to call)",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    scopes: str = Field(default="", max_length=200)  # space-separated, sorted; see SCOPES
    expires_at: datetime | None = None

    def scope_list(self) -> list[str]:
        return self.scopes.split()
