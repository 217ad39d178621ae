"""Page cursors the API gives out: opaque, and signed with SECRET_KEY so a client can
only hand back one it was given (a forged or edited cursor is a 400, never a query).
Each list has its own salt, so a calls cursor is no surveys cursor."""
from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from desk import keyset, settings


def _signer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(settings.current()["SECRET_KEY"], salt=f"vfd-api-cursor:{kind}")


def encode(kind: str, at: datetime, ident: int) -> str:
    return _signer(kind).dumps(keyset.encode(at, ident))


def decode(kind: str, cursor: str) -> tuple[datetime, int]:
    """ValueError for anything ``encode`` did not make for KIND."""
    if len(cursor) > 500:
        raise ValueError("not a cursor this service gave out")
    try:
        inner = _signer(kind).loads(cursor)
    except BadSignature:
        raise ValueError("not a cursor this service gave out") from None
    if not isinstance(inner, str):
        raise ValueError("not a cursor this service gave out")
    return keyset.decode(inner)


def checked(kind: str, cursor: str | None) -> str | None:
    """CURSOR as given, once it is known to be one ``encode`` made for KIND (a query
    parameter's validator: ValueError otherwise)."""
    if cursor is not None:
        decode(kind, cursor)
    return cursor
