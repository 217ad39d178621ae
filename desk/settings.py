"""Every setting, declared once: its type, default, whether production requires it, and
its checks.  Values come from the environment, or from the ``overrides`` passed to
``create_app``; they are parsed and checked when a process starts, so a bad value stops
start-up with a message naming the setting instead of failing a caller later.

The web app and the workers read the settings of their context through ``current()``:
the web app binds its ``app.config`` (which holds these values, typed) whenever an app
context is pushed, and a worker binds them for each job (workers/runtime.py).
"""
from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from redis import ConnectionPool
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from flows.hours import CLOSED, parse_hours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_BASE = "https://api.twilio.com"
# How long RQ lets one outbox send job run before killing it.  OUTBOX_STALE_CLAIM_SECONDS
# must be longer: only then is the worker behind a stale claim surely gone, not still
# sending the text.
SEND_JOB_TIMEOUT_SECONDS = 120

# What the repository once shipped as development values: never accepted in production.
PLACEHOLDER_ACCOUNT_SID = "AC" + "0" * 32
KNOWN_PLACEHOLDERS = {"dev-secret-key-not-secret", "dev-auth-token-not-secret", "change-me", "changeme", "secret"}
SECRET_MIN_BYTES = 32
# Secrets the service makes for itself in development, so none is shared through the repository.
DEVELOPMENT_SECRETS = ("SECRET_KEY", "TWILIO_AUTH_TOKEN")

log = logging.getLogger(__name__)

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
HOURS_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
# Settings where an empty value means "none" rather than "the default".
EMPTY_MEANS_NONE = {"SMS_QUIET_HOURS"}


class ConfigError(ValueError):
    pass


def _required(doc: str, **kw) -> Any:
    """A field production cannot run without (development uses the default)."""
    return Field(description=doc, json_schema_extra={"production": True}, **kw)


class _Base(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True,
                                      validate_default=True)


class Core(_Base):
    DESK_ENV: Literal["development", "test", "production"] = Field(
        "development", description="`production` turns on the strict start-up check")
    INSTANCE_PATH: str = Field(str(PROJECT_ROOT / "instance"),
                               description="folder for the embedded SQLite file and Redis")
    DATABASE_URL: str | None = _required("SQLAlchemy URL; default: SQLite file under instance/", default=None)
    REDIS_URL: str | None = _required("Redis URL; default: an embedded Redis under instance/", default=None)
    SECRET_KEY: str | None = _required(
        "signs sessions, survey links and API cursors; at least 32 bytes (development: a random key kept "
        "under instance/)", default=None, min_length=1)
    LOG_HASH_KEY: str | None = _required(
        "key for the pseudonyms that stand for phone numbers in logs, its own secret of at least 32 bytes "
        "(development: SECRET_KEY)", default=None, min_length=1)
    PUBLIC_BASE_URL: str | None = _required("origin Twilio calls, e.g. https://desk.example.org", default=None)
    FALLBACK_PHONE_NUMBER: str | None = Field(
        None, description="E.164 number callers are put through to when the service is degraded")
    MAX_REQUEST_BYTES: int = Field(1024 * 1024, ge=1024,
                                   description="larger request bodies are refused with 413 before they are read")
    PROXY_HOPS: int = Field(0, ge=0, le=5, description="trusted proxies in front of the web app whose X-Forwarded-For/-Proto/-Host are believed (0: none)")
    SENTRY_DSN: str | None = Field(None, min_length=1, max_length=500, pattern=r"^https?://\S+$",
                                   description="Sentry project DSN; errors are reported there, scrubbed of phone "
                                               "numbers and personal data (unset: no reporting)")
    METRICS_TOKEN: str | None = Field(None, min_length=32, max_length=256,
                                      description="bearer token Prometheus sends to /metrics; unset: /metrics answers 404")
    FORCE_BOROUGHS: Annotated[tuple[str, ...], NoDecode] = Field(
        ("Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon", "Ealing", "Enfield",
         "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon",
         "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham",
         "Merton", "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets",
         "Waltham Forest", "Wandsworth", "Westminster"),
        description="the force's boroughs, separated by commas: the API accepts only these (matched "
                    "case-insensitively, stored as spelled here); default: London's 32")

    @field_validator("FORCE_BOROUGHS", mode="before")
    @classmethod
    def _boroughs(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        names = tuple(" ".join(str(part).split()) for part in value if str(part).strip())
        if not names:
            raise ValueError("must name at least one borough")
        return names
    LOG_HASH_KEY_PREVIOUS: str | None = Field(
        None, min_length=32, description="the LOG_HASH_KEY before a rotation: the audit log's phone search still "
                                         "matches entries written under it (keep it for AUDIT_RETENTION_DAYS)")

    @field_validator("PUBLIC_BASE_URL")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        # Every URL Twilio is given and every signature checked is this plus a path: a
        # path, query or fragment here would break them all at the first call.
        if (parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/")
                or parts.query or parts.fragment or "@" in parts.netloc):
            raise ValueError("must be an http(s) origin such as https://desk.example.org")
        return value.rstrip("/")

    @field_validator("DATABASE_URL")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        """A URL this service can open: PostgreSQL (psycopg) or SQLite, checked at start-up
        rather than at the first call that needs the database."""
        if value is None:
            return None
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL such as postgresql+psycopg://desk@db.internal/desk") from None
        if url.get_backend_name() == "postgres":
            raise ValueError("says postgres://, which SQLAlchemy does not read: write postgresql+psycopg://")
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise ValueError(f"is a {url.get_backend_name()} database: the desk runs on PostgreSQL or SQLite")
        try:
            url.get_dialect().import_dbapi()
        except (ImportError, NoSuchModuleError):
            raise ValueError(f"needs the driver {url.get_driver_name()!r}, which this service does not have: "
                             "write postgresql+psycopg://") from None
        return value

    @field_validator("REDIS_URL")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ConnectionPool.from_url(value)  # parses only: nothing is connected
        except ValueError:
            raise ValueError("is not a Redis URL such as redis://redis.internal:6379/0 (redis://, rediss:// or "
                             "unix://)") from None
        return value


class Twilio(_Base):
    TWILIO_ACCOUNT_SID: str = _required("the Twilio account (AC…)", default=PLACEHOLDER_ACCOUNT_SID,
                                        pattern=r"^AC[0-9a-fA-F]{32}$")
    TWILIO_AUTH_TOKEN: str | None = _required(
        "signs webhooks and authenticates REST calls (development: a random token kept under instance/)",
        default=None, min_length=1)
    TWILIO_WEBHOOK_SHARED_KEY: str | None = Field(None, description="secret for HMAC-SHA256 signed webhooks, if enabled")
    TWILIO_PHONE_NUMBER: str = _required("the desk line, E.164", default="+442070000000")
    TWILIO_API_BASE: str = Field(DEFAULT_API_BASE, description="REST API origin (tests point it at a local fake)")
    TWILIO_HTTP_TIMEOUT: float = Field(10.0, gt=0, description="seconds before a Twilio REST call is abandoned")


class PhoneLine(_Base):
    DESK_QUEUE_NAME: str = Field("desk", min_length=1, max_length=64,
                                 description="the Twilio queue callers wait in for an agent")
    IVR_HOLD_MUSIC_URL: str = Field("https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3",
                                    description="audio played to callers waiting in the queue")
    IVR_QUEUE_MAX_WAIT_SECONDS: int = Field(1200, ge=60, description="longest wait before the caller is offered a callback")
    IVR_QUEUE_MAX_SIZE: int = Field(10, ge=1, description="callers waiting before new callers are offered a callback")
    IVR_POSITION_EVERY_POLLS: int = Field(3, ge=1, description="announce position and wait every N hold-music rounds")
    IVR_CASE_LOCKOUT_FAILURES: int = Field(5, ge=1, description="references per number per day that match no case "
                                                                "registered to it, before that number's unknown "
                                                                "references are refused for the day")
    DESK_HOURS_WEEKDAYS: str = Field("08:00-20:00", description="Monday to Friday opening hours, HH:MM-HH:MM "
                                                                "(Europe/London)")
    DESK_HOURS_WEEKENDS: str = Field("08:00-16:00", description="Saturday and Sunday opening hours, HH:MM-HH:MM, "
                                                                "or `closed`")
    DESK_HOURS_BANK_HOLIDAYS: str = Field("08:00-16:00", description="bank holiday opening hours (England and "
                                                                     "Wales), HH:MM-HH:MM, or `closed`")
    IVR_HOURS_OVERRIDES: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, description='closures and special hours by date, JSON: {"2026-12-24": "08:00-14:00", '
                                          '"2026-12-25": "closed"}; the console\'s overrides win for the same date')
    IVR_VOICE_EN: str = Field("Polly.Amy", min_length=1, description="text-to-speech voice for English prompts")
    IVR_VOICE_PL: str = Field("Polly.Ewa", min_length=1, description="text-to-speech voice for Polish prompts")
    IVR_PIN_LOCKOUT_FAILURES: int = Field(5, ge=1, le=20, description="wrong PINs for one case in a London day "
                                                                     "before the case is locked for the day, "
                                                                     "whichever number calls")
    IVR_DEGRADED_HOLD_SECONDS: int = Field(300, ge=30, le=3600,
                                           description="with the database down, how long a caller in the queue "
                                                       "hears hold music before being put through to "
                                                       "FALLBACK_PHONE_NUMBER (or told to call again)")
    IVR_QUEUE_CLOSING_GRACE_MINUTES: int = Field(10, ge=2, le=60,
                                                 description="after closing time (or the last agent going "
                                                             "offline), how long callers still waiting may hold "
                                                             "before they are offered a callback and told how to "
                                                             "call again")
    IVR_QUEUE_ESTIMATE_MIN_ANSWERED: int = Field(5, ge=1, le=1000,
                                                 description="calls the desk must have answered in the last hour "
                                                             "before callers in the queue are told a likely wait")

    @field_validator("DESK_HOURS_WEEKDAYS")
    @classmethod
    def _weekdays(cls, value: str) -> str:
        return _weekly_hours(value, closed_allowed=False)

    @field_validator("DESK_HOURS_WEEKENDS", "DESK_HOURS_BANK_HOLIDAYS")
    @classmethod
    def _days_off(cls, value: str) -> str:
        return _weekly_hours(value, closed_allowed=True)

    @field_validator("IVR_HOURS_OVERRIDES", mode="before")
    @classmethod
    def _overrides(cls, value: Any) -> dict[str, str]:
        if isinstance(value, str):
            try:
                value = json.loads(value or "{}")
            except json.JSONDecodeError as exc:
                raise ValueError(f"is not JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise ValueError('must be a JSON object of dates, e.g. {"2026-12-25": "closed"}')
        for day, hours in value.items():
            date.fromisoformat(str(day))
            if str(hours).strip().lower() != "closed" and not HOURS_RANGE.match(str(hours).strip()):
                raise ValueError(f'{day}: {hours!r} is neither "closed" nor HH:MM-HH:MM')
        return {str(k): str(v).strip() for k, v in value.items()}


def _weekly_hours(value: str, *, closed_allowed: bool) -> str:
    value = str(value).strip().lower()
    if not (HOURS_RANGE.match(value) or (closed_allowed and value == CLOSED)):
        raise ValueError("must be HH:MM-HH:MM (Europe/London)" + (', or "closed"' if closed_allowed else ""))
    parse_hours(value)  # raises when it opens after it closes
    return value


class Agents(_Base):
    AGENT_RING_SECONDS: int = Field(20, ge=5, le=120, description="how long an agent's phone rings")
    AGENT_WRAP_UP_SECONDS: int = Field(60, ge=0, description="after a call, before the agent is rung again")
    AGENT_OFFER_STALE_SECONDS: int = Field(120, ge=10, description="a ringing offer with no news is given up after this")
    AGENT_ACCEPT_SECONDS: int = Field(10, ge=1, le=60, description="time an agent has to press 1 after the whisper")
    AGENT_PULL_WAIT_SECONDS: int = Field(45, ge=1, description="how long an agent waits for a caller taken by CallSid")
    AGENT_MAX_CALL_SECONDS: int = Field(14400, ge=60, description="an accepted call with no news for this long is closed")
    CALLBACK_MAX_ATTEMPTS: int = Field(3, ge=1, le=10, description="attempts to reach a victim before a callback is marked failed")
    CALLBACK_RETRY_MINUTES: Annotated[tuple[float, ...], NoDecode] = Field(
        (15.0, 60.0), description="gap after the 1st, 2nd… failed callback attempt")
    CALLBACK_RING_SECONDS: int = Field(25, ge=5, le=120, description="how long the victim's phone rings on a callback")
    DISPATCH_SWEEP_SECONDS: int = Field(30, ge=1, description="how often waiting callers and due callbacks are re-dispatched")

    @field_validator("CALLBACK_RETRY_MINUTES", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not value or any(float(m) < 0 for m in value):
            raise ValueError("must be minutes separated by commas, e.g. 15,60")
        return value


class Texts(_Base):
    SURVEY_DELAY_MINUTES: float = Field(60, ge=0, description="after an officer's visit, before the rating survey is texted")
    SURVEY_EXPIRY_DAYS: float = Field(7, gt=0, description="replies after this get a polite 'survey closed' note")
    SMS_QUIET_HOURS: str | None = Field("21:00-08:00", description="Europe/London hours in which no case-update or "
                                                                  "survey text is sent (checked just before each "
                                                                  "send); empty turns it off")
    SMS_RATE_PER_SECOND: float = Field(10, gt=0, description="SMS segments per second per sending number, across all workers")
    SMS_RETRY_BASE_SECONDS: float = Field(15, ge=0, description="first retry delay; doubles each attempt")
    SMS_RETRY_MAX_SECONDS: float = Field(900, ge=0, description="cap on the retry delay")
    OUTBOX_STALE_CLAIM_SECONDS: float = Field(
        300, description="a send claim older than this belongs to a dead worker (must exceed the send job's 120 s timeout)")
    OUTBOX_SWEEP_GRACE_SECONDS: float = Field(120, ge=0, description="the sweeper leaves rows this fresh to their queued jobs")
    SCHEDULER_CHECK_SECONDS: int = Field(15, ge=1, le=60, description="how often each worker checks that some worker "
                                                                  "runs RQ's scheduler (starting its own if none "
                                                                  "does) and that it is itself registered in Redis")
    SMS_RETRY_MAX_AGE_HOURS: float = Field(24, gt=0, description="a text still failing this long after it was due "
                                                                 "is given up (retries are bounded by age, not count)")

    @field_validator("SMS_QUIET_HOURS")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not HOURS_RANGE.match(value):
            raise ValueError("must be HH:MM-HH:MM (Europe/London), or empty for none")
        return value or None

    @field_validator("OUTBOX_STALE_CLAIM_SECONDS")
    @classmethod
    def _stale(cls, value: float) -> float:
        # a shorter claim can be taken from a worker still sending the text, which is then sent twice
        if value <= SEND_JOB_TIMEOUT_SECONDS:
            raise ValueError(f"must be longer than the send job's timeout ({SEND_JOB_TIMEOUT_SECONDS} s): a shorter "
                             "claim can be taken from a worker still sending the text, which is then sent twice")
        return value


class Records(_Base):
    # A little over a year: a complaint about how the desk handled a contact may come up
    # to 12 months after it; the force's retention policy sets the real figure.
    RETENTION_DAYS: int = Field(400, ge=1, description="calls, texts, callbacks and surveys older than this many days are anonymised")
    RETENTION_BATCH_SIZE: int = Field(1000, ge=1, description="rows anonymised per transaction (no long locks on a backlog)")
    CASE_RETENTION_DAYS: int = Field(400, ge=1, description="a case and its updates are anonymised this many days after "
                                                            "the case was last updated")
    CASE_CLOSED_STATUSES: Annotated[tuple[str, ...], NoDecode] = Field(
        ("closed", "nfa", "finalised"), description="case statuses that mean closed, separated by commas "
                                                    "(compared case-insensitively)")
    # Three months: a victim may ask for a review of a decision to take no further
    # action (Victims' Right to Review) within three months of it, and may ring the desk
    # about it meanwhile.
    CASE_CLOSED_RETENTION_DAYS: int = Field(90, ge=1, description="a case with a closed status is anonymised this many "
                                                                  "days after its last update (at most "
                                                                  "CASE_RETENTION_DAYS)")
    # Six years: the audit log is evidence of who saw a victim's data, kept whole for
    # complaints and claims (limitation period), then deleted.
    AUDIT_RETENTION_DAYS: int = Field(2190, ge=365, description="audit log entries older than this many days are "
                                                                "deleted (kept whole until then)")
    CALLBACK_EXPIRY_DAYS: int = Field(14, ge=1, description="a callback still pending this many days after it was "
                                                            "requested is marked expired, with the reason")

    @field_validator("CASE_CLOSED_STATUSES", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        return tuple(str(part).strip().lower() for part in value if str(part).strip())


class Console(_Base):
    CONSOLE_IDLE_MINUTES: float = Field(30, gt=0, description="a console session with no activity for this long is logged out")
    CONSOLE_LOGIN_MAX_FAILURES: int = Field(5, ge=1, description="wrong passwords in a row before an account is locked")
    CONSOLE_LOCKOUT_MINUTES: float = Field(15, gt=0, description="how long a locked account stays locked")
    CONSOLE_LOGIN_IP_LIMIT: int = Field(20, ge=1, description="failed login attempts from one IP address per window")
    CONSOLE_LOGIN_IP_WINDOW_SECONDS: int = Field(900, ge=1, description="the window of CONSOLE_LOGIN_IP_LIMIT")
    CONSOLE_COOKIE_SECURE: Literal["auto", "true", "false"] = Field(
        "auto", description="`auto`: Secure cookies when PUBLIC_BASE_URL is https; `true`/`false` to force (production is always Secure)")
    CONSOLE_CALLBACK_OVERDUE_MINUTES: float = Field(
        30, ge=0, description="a callback due for longer than this shows as overdue (worklist, wallboard)")
    CONSOLE_SCREEN_POP_POLL_SECONDS: float = Field(3, gt=0, description="how often the agent's screen pop asks for news")
    RATINGS_EXCEPTIONAL_MIN_COUNT: int = Field(10, ge=1, description="ratings an officer needs in the period to be listed for recognition")
    RATINGS_EXCEPTIONAL_MIN_MEAN: float = Field(4.5, ge=1, le=5, description="mean rating (1-5) at or above which an officer is listed")
    SERVICE_LEVEL_SECONDS: int = Field(60, ge=1, description="a caller answered within this many seconds counts towards the service level")
    CONSOLE_SESSION_MAX_HOURS: float = Field(10, gt=0, le=24, description="a console session ends this long after login, however active")
    WALLBOARD_WAITING_AMBER: int = Field(3, ge=1, description="callers waiting at or above this show amber (\"warning\") on the wallboard")
    WALLBOARD_WAITING_RED: int = Field(6, ge=1, description="callers waiting at or above this show red (\"alert\") on the wallboard")
    WALLBOARD_LONGEST_WAIT_AMBER_SECONDS: int = Field(60, ge=1, description="a longest wait at or above this many seconds shows amber on the wallboard")
    WALLBOARD_LONGEST_WAIT_RED_SECONDS: int = Field(180, ge=1, description="a longest wait at or above this many seconds shows red on the wallboard")
    WALLBOARD_OVERDUE_CALLBACKS_AMBER: int = Field(1, ge=1, description="overdue callbacks at or above this show amber on the wallboard")
    WALLBOARD_OVERDUE_CALLBACKS_RED: int = Field(5, ge=1, description="overdue callbacks at or above this show red on the wallboard")
    WALLBOARD_SERVICE_LEVEL_AMBER: float = Field(0.8, gt=0, le=1, description="a service level (0-1) below this shows amber on the wallboard")
    WALLBOARD_SERVICE_LEVEL_RED: float = Field(0.6, gt=0, le=1, description="a service level (0-1) below this shows red on the wallboard")
    SERVICE_LEVEL_TARGET_PERCENT: float = Field(
        80, gt=0, le=100, description="the service level the desk aims for, drawn as the target line on the KPI charts")

    @field_validator("CONSOLE_COOKIE_SECURE", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class Feedback(_Base):
    """My Met Service: the rating survey at each point of the victim's journey, by text or email."""
    SURVEY_NO_REPEAT_DAYS: float = Field(14, ge=0, description="a victim (same number or email) asked for a rating is "
                                                                "not asked again, whatever the stage or channel, "
                                                                "for this many days")
    SURVEY_CONTACT_MAX_AGE_DAYS: float = Field(30, gt=0, description="an engagement whose contact is older than this "
                                                                     "is refused (422 naming occurred_at)")
    SMTP_HOST: str | None = Field(None, description="mail server for survey emails; empty: development writes each "
                                                    "email as a .eml file under instance/mail/, production sends "
                                                    "no email (invitations go by text or not at all)")
    SMTP_PORT: int = Field(587, ge=1, le=65535, description="the mail server's port")
    SMTP_USERNAME: str | None = Field(None, description="login at the mail server; empty: none")
    SMTP_PASSWORD: str | None = Field(None, description="password for SMTP_USERNAME")
    SMTP_STARTTLS: bool = Field(True, description="upgrade the connection with STARTTLS before logging in "
                                                  "(production refuses false)")
    EMAIL_FROM: str = Field("Feedback <feedback@desk.invalid>", description="sender of survey emails: a neutral name "
                                                                           "(nothing that says police or crime) "
                                                                           "and an address the force sends from")
    FORUM_CONSENT_DAYS: int = Field(365, ge=1, description="a Victim Voice Forum consent is deleted this many days "
                                                           "after it was given (or at once when withdrawn)")

    @field_validator("EMAIL_FROM")
    @classmethod
    def _sender(cls, value: str) -> str:
        name, address = parseaddr(value)
        if "@" not in address:
            raise ValueError("must be an address, optionally with a name: Feedback <feedback@example.org>")
        if any(word in name.lower() for word in ("police", "crime", "victim")):
            raise ValueError("the sender's name shows on a lock screen: it must not say police, crime or victim")
        return value


class Settings(Core, Twilio, PhoneLine, Agents, Texts, Records, Console, Feedback):
    """All settings, flat (each is its own environment variable), grouped above by area."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data: Any) -> Any:
        # An empty variable (FOO= in a unit file) means "use the default", except where
        # empty has a meaning of its own.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not ((v is None or v == "") and k not in EMPTY_MEANS_NONE)}
        return data

    @model_validator(mode="after")
    def _derived(self) -> Settings:
        for amber, red in (("WALLBOARD_WAITING_AMBER", "WALLBOARD_WAITING_RED"),
                           ("WALLBOARD_LONGEST_WAIT_AMBER_SECONDS", "WALLBOARD_LONGEST_WAIT_RED_SECONDS"),
                           ("WALLBOARD_OVERDUE_CALLBACKS_AMBER", "WALLBOARD_OVERDUE_CALLBACKS_RED")):
            if getattr(self, red) < getattr(self, amber):
                raise ValueError(f"{red}={getattr(self, red)} is below {amber}={getattr(self, amber)}")
        if self.WALLBOARD_SERVICE_LEVEL_RED > self.WALLBOARD_SERVICE_LEVEL_AMBER:
            raise ValueError(f"WALLBOARD_SERVICE_LEVEL_RED={self.WALLBOARD_SERVICE_LEVEL_RED} is above "
                             f"WALLBOARD_SERVICE_LEVEL_AMBER={self.WALLBOARD_SERVICE_LEVEL_AMBER}")
        for name in ("TWILIO_PHONE_NUMBER", "FALLBACK_PHONE_NUMBER"):
            value = getattr(self, name)
            if value is not None and not E164.match(value):
                raise ValueError(f"{name}={value!r} is not an E.164 number such as +442079460000")
        if self.CASE_CLOSED_RETENTION_DAYS > self.CASE_RETENTION_DAYS:
            raise ValueError(f"CASE_CLOSED_RETENTION_DAYS={self.CASE_CLOSED_RETENTION_DAYS} is longer than "
                             f"CASE_RETENTION_DAYS={self.CASE_RETENTION_DAYS}: a closed case goes sooner, not later")
        if self.DATABASE_URL is None:
            object.__setattr__(self, "DATABASE_URL", f"sqlite:///{Path(self.INSTANCE_PATH) / 'desk.sqlite3'}")
        return self

    def production_gaps(self, given: set[str]) -> list[str]:
        return [name for name, field in type(self).model_fields.items()
                if (field.json_schema_extra or {}).get("production") and name not in given]


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Checked settings from defaults < environment < OVERRIDES, as a dict for
    ``app.config``; other keys in OVERRIDES (TESTING, CLOCK, …) pass through unchecked."""
    overrides = dict(overrides or {})
    names = set(Settings.model_fields)
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if k in names})
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from None
    values = settings.model_dump()
    if settings.DESK_ENV == "production":
        missing = settings.production_gaps(set(settings.model_fields_set))
        if missing:
            raise ConfigError("Missing required settings for production: " + ", ".join(missing))
        problems = production_problems(values)
        if problems:
            raise ConfigError("Settings not fit for production: " + "; ".join(problems))
    else:
        values.update(development_secrets(values))
    return {**values, **{k: v for k, v in overrides.items() if k not in names}}


def production_problems(values: Mapping[str, Any]) -> list[str]:
    """What makes these settings unsafe to run a real desk on, one line per problem."""
    problems = []
    if values["TWILIO_ACCOUNT_SID"] == PLACEHOLDER_ACCOUNT_SID:
        problems.append("TWILIO_ACCOUNT_SID is the development placeholder")
    for name in ("SECRET_KEY", "LOG_HASH_KEY", "TWILIO_AUTH_TOKEN", "TWILIO_WEBHOOK_SHARED_KEY"):
        value = values.get(name)
        if value is None:
            continue
        if value.strip().lower() in KNOWN_PLACEHOLDERS:
            problems.append(f"{name} is a placeholder, not a secret")
        elif len(value.encode()) < SECRET_MIN_BYTES:
            problems.append(f"{name} is {len(value.encode())} bytes; a secret needs at least {SECRET_MIN_BYTES}")
    if values.get("LOG_HASH_KEY") and values["LOG_HASH_KEY"] == values.get("SECRET_KEY"):
        problems.append("LOG_HASH_KEY must differ from SECRET_KEY (a leaked session key would undo the pseudonyms)")
    if values.get("PUBLIC_BASE_URL") and urlsplit(values["PUBLIC_BASE_URL"]).scheme != "https":
        problems.append(f"PUBLIC_BASE_URL={values['PUBLIC_BASE_URL']!r} is not https")
    if values.get("SMTP_HOST") and not values.get("SMTP_STARTTLS"):
        problems.append("SMTP_STARTTLS is false: victims' email addresses and survey links would cross the network "
                        "in clear")
    if values.get("SMTP_HOST") and values.get("EMAIL_FROM", "").endswith(".invalid>"):
        problems.append("EMAIL_FROM is the development placeholder")
    return problems


def development_secrets(values: Mapping[str, Any]) -> dict[str, str]:
    """Outside production, the secrets nobody set: random ones made once and kept under
    the instance folder, so no secret the service accepts is written in the repository."""
    wanted = [name for name in DEVELOPMENT_SECRETS if not values.get(name)]
    if not wanted:
        return {}
    path = Path(values["INSTANCE_PATH"]) / "development-secrets.json"
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    made = {name: kept.get(name) or secrets.token_urlsafe(32) for name in wanted}
    if any(kept.get(name) != value for name, value in made.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**kept, **made}))
        path.chmod(0o600)
    log.warning("development secrets in use for %s (kept in %s): set DESK_ENV=production and real secrets "
                "before this service takes a real call", ", ".join(wanted), path)
    return made


# Never echoed back in a start-up error: the message goes to logs and terminals.
SECRET_SETTINGS = {"SECRET_KEY", "LOG_HASH_KEY", "LOG_HASH_KEY_PREVIOUS", "TWILIO_AUTH_TOKEN",
                   "TWILIO_WEBHOOK_SHARED_KEY", "METRICS_TOKEN", "SMTP_PASSWORD", "SENTRY_DSN"}
# URLs that may carry a password: echoed with it hidden.
URL_SETTINGS = {"DATABASE_URL", "REDIS_URL"}


def _shown(name: str, given: Any) -> str:
    if isinstance(given, dict) or given is None or name in SECRET_SETTINGS:
        return ""
    if name in URL_SETTINGS and isinstance(given, str):
        given = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", given)
    return f"={given!r}"


def describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        shown = _shown(name, error.get("input"))
        problems.append(f"{name}{shown}: {error['msg'].removeprefix('Value error, ')}")
    return "Invalid settings: " + "; ".join(problems)


def override(config: MutableMapping[str, Any], **values: Any) -> None:
    """Change settings of a running app (tests, the terminal emulator): each value is
    parsed as its setting's type, without the start-up bounds, so a test may sweep
    faster than an operator could configure."""
    for name, value in values.items():
        field = Settings.model_fields[name]
        for parse in _PARSERS.get(name, ()):
            value = parse(value)
        config[name] = value if value is None else TypeAdapter(field.annotation).validate_python(value)


def documented() -> list[tuple[str, Any, str]]:
    """(name, default, description) of every setting, in declaration order."""
    return [(name, field.default, field.description or "") for name, field in Settings.model_fields.items()]


# --- the settings of the running context ------------------------------------------

_current: ContextVar[Mapping[str, Any]] = ContextVar("desk_settings")


def current() -> Mapping[str, Any]:
    """The settings of this request or job (typed values, keyed by name)."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("no settings bound: run inside the web app or a worker job") from None


def is_bound() -> bool:
    return _current.get(None) is not None


def bind(config: Mapping[str, Any]):
    return _current.set(config)


def unbind(token) -> None:
    _current.reset(token)


@contextmanager
def bound(config: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    token = bind(config)
    try:
        yield config
    finally:
        unbind(token)


def public_url(path: str) -> str:
    """An absolute URL on the origin Twilio reaches this service at."""
    return (current()["PUBLIC_BASE_URL"] or "").rstrip("/") + path


# the field validators a value goes through before its type, for ``override``
_PARSERS = {"IVR_HOURS_OVERRIDES": (PhoneLine._overrides,), "FORCE_BOROUGHS": (Core._boroughs,),
            "DESK_HOURS_WEEKDAYS": (PhoneLine._weekdays,), "DESK_HOURS_WEEKENDS": (PhoneLine._days_off,),
            "DESK_HOURS_BANK_HOLIDAYS": (PhoneLine._days_off,), "CALLBACK_RETRY_MINUTES": (Agents._minutes,),
            "CASE_CLOSED_STATUSES": (Records._statuses,),
            "SMS_QUIET_HOURS": (Texts._quiet,), "PUBLIC_BASE_URL": (Core._origin,),
            "EMAIL_FROM": (Feedback._sender,)}
