"""Settings from environment variables, with embedded defaults for development.

Every setting is read by the same name from the environment and from the
``overrides`` passed to ``create_app``.  In production (``DESK_ENV=production``)
nothing that protects callers may fall back to a default: start-up fails with one
error that names every missing setting.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE = "https://api.twilio.com"

# name -> (default in development, required in production, what it is for)
SETTINGS: dict[str, tuple[object, bool, str]] = {
    "DESK_ENV": ("development", False, "`production` turns on the strict start-up check"),
    "INSTANCE_PATH": (str(PROJECT_ROOT / "instance"), False, "folder for the embedded SQLite file and Redis"),
    "DATABASE_URL": (None, True, "SQLAlchemy URL; default: SQLite file under instance/"),
    "REDIS_URL": (None, True, "Redis URL; default: an embedded Redis under instance/"),
    "TWILIO_ACCOUNT_SID": ("AC" + "0" * 32, True, "the Twilio account (AC…)"),
    "TWILIO_AUTH_TOKEN": ("dev-auth-token-not-secret", True, "signs webhooks and authenticates REST calls"),
    "TWILIO_WEBHOOK_SHARED_KEY": (None, False, "secret for HMAC-SHA256 signed webhooks, if enabled"),
    "TWILIO_PHONE_NUMBER": ("+442070000000", True, "the desk line, E.164"),
    "TWILIO_API_BASE": (DEFAULT_API_BASE, False, "REST API origin (tests point it at a local fake)"),
    "TWILIO_HTTP_TIMEOUT": ("10", False, "seconds before a Twilio REST call is abandoned"),
    "PUBLIC_BASE_URL": (None, True, "origin Twilio calls, e.g. https://desk.example.org"),
    "SECRET_KEY": ("dev-secret-key-not-secret", True, "signs sessions and survey links"),
    "FALLBACK_PHONE_NUMBER": (None, False, "E.164 number callers are put through to when the service is degraded"),
    "LOG_HASH_KEY": (None, False, "key for pseudonymising phone numbers in logs (default: SECRET_KEY)"),
}


class ConfigError(RuntimeError):
    pass


def load(overrides: dict | None = None) -> dict:
    """Settings from defaults < environment < overrides."""
    overrides = dict(overrides or {})
    given = {name for name in SETTINGS if overrides.get(name) or os.environ.get(name)}
    config: dict = {}
    for name, (default, _required, _doc) in SETTINGS.items():
        config[name] = overrides.pop(name, os.environ.get(name, default))
    config.update(overrides)  # extra keys (e.g. TESTING, CLOCK) pass through
    if config["DESK_ENV"] == "production":
        missing = [name for name, (_d, required, _doc) in SETTINGS.items()
                   if required and name not in given]
        if missing:
            raise ConfigError("Missing required settings for production: " + ", ".join(missing))
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(config['INSTANCE_PATH']) / 'desk.sqlite3'}"
    config["TWILIO_HTTP_TIMEOUT"] = float(config["TWILIO_HTTP_TIMEOUT"])
    return config
