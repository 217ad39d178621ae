"""Staff passwords and case PINs, hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id
# Verified against when the email is unknown, so both answers take about as long.
_DUMMY_HASH = _hasher.hash("no account has this password")

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def problem_with(password: str) -> str | None:
    """Why PASSWORD may not be used, or None."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > 1024:
        return "use at most 1024 characters"
    return None


# --- case PINs (set by the case system, typed by a caller on the phone) ---------------


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(pin_hash: str | None, pin: str | None) -> bool:
    """Whether PIN matches PIN_HASH; False when either is missing (a hash is still
    checked, so a case without a PIN takes about as long to answer)."""
    return verify(pin_hash, pin or "") and bool(pin)
