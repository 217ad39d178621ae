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
# How long RQ lets one outbox send job (workers/outbox.py) run before killing it.
# OUTBOX_STALE_CLAIM_SECONDS must be longer (checked by ``load``): only then is the
# worker behind a stale claim surely gone, not still sending the text.
SEND_JOB_TIMEOUT_SECONDS = 120

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
    # The phone line
    "DESK_QUEUE_NAME": ("desk", False, "the Twilio queue callers wait in for an agent"),
    "IVR_HOLD_MUSIC_URL": ("https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3", False,
                           "audio played to callers waiting in the queue"),
    "IVR_QUEUE_MAX_WAIT_SECONDS": ("1200", False, "longest wait before the caller is offered a callback"),
    "IVR_QUEUE_MAX_SIZE": ("10", False, "callers waiting before new callers are offered a callback"),
    "IVR_POSITION_EVERY_POLLS": ("3", False, "announce position and wait every N hold-music rounds"),
    "IVR_CASE_LOCKOUT_FAILURES": ("5", False, "failed case look-ups per number per day before a lockout"),
    "IVR_HOURS_OVERRIDES": ("{}", False,
                            'closures and special hours by date, JSON: {"2026-12-24": "08:00-14:00", '
                            '"2026-12-25": "closed"}'),
    "IVR_LEAFLET_URL": ("https://www.gov.uk/government/publications/the-code-of-practice-for-victims-of-crime",
                        False, "victim information leaflet texted to callers who ask for it"),
    "IVR_VOICE_EN": ("Polly.Amy", False, "text-to-speech voice for English prompts"),
    "IVR_VOICE_PL": ("Polly.Ewa", False, "text-to-speech voice for Polish prompts"),
    # Agents and callbacks
    "AGENT_RING_SECONDS": ("20", False, "how long an agent's phone rings"),
    "AGENT_WRAP_UP_SECONDS": ("60", False, "after a call, before the agent is rung again"),
    "AGENT_OFFER_STALE_SECONDS": ("120", False, "a ringing offer with no news is given up after this"),
    "AGENT_ACCEPT_SECONDS": ("10", False, "time an agent has to press 1 after the whisper"),
    "AGENT_PULL_WAIT_SECONDS": ("45", False, "how long an agent waits for a caller taken by CallSid"),
    "AGENT_MAX_CALL_SECONDS": ("14400", False, "an accepted call with no news for this long is closed"),
    "CALLBACK_MAX_ATTEMPTS": ("3", False, "attempts to reach a victim before a callback is marked failed"),
    "CALLBACK_RETRY_MINUTES": ("15,60", False, "gap after the 1st, 2nd… failed callback attempt"),
    "CALLBACK_RING_SECONDS": ("25", False, "how long the victim's phone rings on a callback"),
    "DISPATCH_SWEEP_SECONDS": ("30", False, "how often waiting callers and due callbacks are re-dispatched"),
    # Texts
    "SURVEY_DELAY_MINUTES": ("60", False, "after an officer's visit, before the rating survey is texted"),
    "SURVEY_EXPIRY_DAYS": ("7", False, "replies after this get a polite 'survey closed' note"),
    "SMS_QUIET_HOURS": ("21:00-08:00", False, "Europe/London hours with no survey texts; empty turns it off"),
    "SMS_RATE_PER_SECOND": ("10", False, "messages per second per sending number, across all workers"),
    "SMS_MAX_ATTEMPTS": ("8", False, "send attempts before a message is marked failed"),
    "SMS_RETRY_BASE_SECONDS": ("15", False, "first retry delay; doubles each attempt"),
    "SMS_RETRY_MAX_SECONDS": ("900", False, "cap on the retry delay"),
    "OUTBOX_STALE_CLAIM_SECONDS": ("300", False, "a send claim older than this belongs to a dead worker (must exceed the send job's 120 s timeout)"),
    "OUTBOX_SWEEP_GRACE_SECONDS": ("120", False, "the sweeper leaves rows this fresh to their queued jobs"),
    # Records: a little over a year, since a complaint about how the desk handled a contact
    # may come up to 12 months after it; the force's retention policy sets the real figure.
    "RETENTION_DAYS": ("400", False, "calls, texts, callbacks and surveys older than this many days are anonymised"),
    "RETENTION_BATCH_SIZE": ("1000", False, "rows anonymised per transaction (no long locks on a backlog)"),
    "MAX_REQUEST_BYTES": (str(1024 * 1024), False, "larger request bodies are refused with 413 before they are read"),
    # The staff console
    "CONSOLE_IDLE_MINUTES": ("30", False, "a console session with no activity for this long is logged out"),
    "CONSOLE_LOGIN_MAX_FAILURES": ("5", False, "wrong passwords in a row before an account is locked"),
    "CONSOLE_LOCKOUT_MINUTES": ("15", False, "how long a locked account stays locked"),
    "CONSOLE_LOGIN_IP_LIMIT": ("20", False, "login attempts from one IP address per window"),
    "CONSOLE_LOGIN_IP_WINDOW_SECONDS": ("900", False, "the window of CONSOLE_LOGIN_IP_LIMIT"),
    "CONSOLE_COOKIE_SECURE": ("auto", False, "`auto`: Secure cookies when PUBLIC_BASE_URL is https or in "
                                             "production; `true`/`false` to force"),
    "CONSOLE_CALLBACK_OVERDUE_MINUTES": ("30", False,
                                         "a callback due for longer than this shows as overdue (worklist, wallboard)"),
    "CONSOLE_SCREEN_POP_POLL_SECONDS": ("3", False, "how often the agent's screen pop asks for news"),
    "RATINGS_EXCEPTIONAL_MIN_COUNT": ("10", False, "ratings an officer needs in the period to be listed for recognition"),
    "RATINGS_EXCEPTIONAL_MIN_MEAN": ("4.5", False, "mean rating (1-5) at or above which an officer is listed"),
    "SERVICE_LEVEL_SECONDS": ("60", False, "a caller answered within this many seconds counts towards the service level"),
}

# Settings where an empty value means "none" rather than "the default".
EMPTY_MEANS_NONE = {"SMS_QUIET_HOURS"}


class ConfigError(RuntimeError):
    pass


def setting(name: str, app=None):
    """A setting of the running app (or APP); unset or empty means the table's default,
    except where EMPTY_MEANS_NONE."""
    if app is None:
        from flask import current_app as app

    value = app.config.get(name)
    if value is None or (value == "" and name not in EMPTY_MEANS_NONE):
        return SETTINGS[name][0]
    return value


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
    check_stale_claim(config)
    return config


def check_stale_claim(config: dict) -> None:
    """Refuse to start (web app and workers alike: they share their settings) when the
    sweeper could take a send claim from a worker that is still sending the text, which
    would text the victim twice.  Tests that want a quicker sweep set it on a running
    app's config, where no worker sends (see tests/resilience)."""
    raw = config.get("OUTBOX_STALE_CLAIM_SECONDS")
    raw = SETTINGS["OUTBOX_STALE_CLAIM_SECONDS"][0] if raw in (None, "") else raw
    try:
        stale = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"OUTBOX_STALE_CLAIM_SECONDS={raw!r} is not a number of seconds") from None
    if stale <= SEND_JOB_TIMEOUT_SECONDS:
        raise ConfigError(
            f"OUTBOX_STALE_CLAIM_SECONDS={raw} must be longer than the send job's timeout "
            f"({SEND_JOB_TIMEOUT_SECONDS} s): a shorter claim can be taken from a worker still sending "
            f"the text, which is then sent twice.  Leave it unset (default "
            f"{SETTINGS['OUTBOX_STALE_CLAIM_SECONDS'][0]} s) or set more than {SEND_JOB_TIMEOUT_SECONDS}.")
