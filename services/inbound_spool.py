"""Inbound texts the database could not take, kept until it can, then replayed.

Twilio never retries an inbound text's webhook, so a text the service cannot handle
there and then is kept here instead of being lost:

- in Redis, on the list ``SPOOL_KEY`` (no expiry), or
- if Redis is down too, as one JSON file per text under ``INSTANCE_PATH/spool/``,
  written to a temporary file and renamed (never half there), readable by the
  service's user only: the files hold the sender's number and words.

``replay`` (the periodic job workers/inbound_replay.py) takes them oldest first, both
kinds merged by the time received, through ``inbound_texts.receive`` as a live text
goes, so one already stored (by its MessageSid) is not handled again.  The webhook's
moment has passed, so the reply goes out as an outbound text through the outbox.
A text that cannot be handled although the database is up is set aside with the
reason (``SET_ASIDE_KEY``, or ``spool/set-aside/``), for someone to look at.
"""
from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis
from sqlalchemy import text as sql
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from desk import clock, settings
from desk.redact import pseudonym
from desk.redis_conn import connect
from flows import keywords
from flows.phone import try_e164
from models.db import session
from services import inbound_texts
from services.outbox import queue_sms

log = logging.getLogger(__name__)

SPOOL_KEY = "sms:inbound-spool"
SET_ASIDE_KEY = "sms:inbound-spool:set-aside"
LOCK_KEY = "sms:inbound-spool:replaying"
# The SID shape the webhook checked (desk/signature.py, which services may not import: Flask)
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
FIELDS = ("From", "To", "Body", "MessageSid", "AccountSid", "NumMedia")
REPLY_PURPOSE = "sms_reply"
# Twilio answers these keywords itself (Advanced Opt-Out); a late reply of ours would repeat it
TWILIO_KEYWORDS = {keywords.OPT_OUT, keywords.OPT_IN, keywords.HELP}
# A webhook waits at most this long on Redis before writing the file (Twilio gives up at 15 s)
REDIS_TIMEOUT_SECONDS = 2
# Texts one replay looks at, and how long it keeps going: the job's timeout is 300 s
BATCH = 200
BUDGET_SECONDS = 120
LOCK_SECONDS = 300

_clients: dict[str, redis.Redis] = {}


# ---------------------------------------------------------------- keeping


def from_form(form: Mapping[str, str], sid: str, token: str | None, received_at: datetime) -> dict:
    """What is kept of an inbound webhook's form."""
    entry = {name: form.get(name) for name in FIELDS}
    entry.update(MessageSid=sid, IdempotencyToken=token, received_at=received_at.astimezone(UTC).isoformat())
    return entry


def keep(entry: dict) -> str:
    """Spool ENTRY in Redis, else in a file; returns where ("redis" or the file's name)."""
    raw = json.dumps(entry, sort_keys=True)
    try:
        _redis().rpush(SPOOL_KEY, raw)
        where = "redis"
    except Exception:  # noqa: BLE001 - Redis down or misbehaving: the local disk is the last resort
        log.warning("inbound %s: Redis unavailable, spooling to a file", entry["MessageSid"], exc_info=True)
        where = _write(spool_dir(), _file_name(entry), raw).name
    log.info("inbound %s from %s spooled (%s)", entry["MessageSid"], pseudonym(entry.get("From")), where)
    return where


def spool_dir() -> Path:
    return Path(settings.current()["INSTANCE_PATH"]) / "spool"


def _redis() -> redis.Redis:
    """The Redis to spool to, with short timeouts: a webhook must answer before Twilio gives up."""
    config = settings.current()
    url = config.get("REDIS_URL")
    if not url:
        return connect(config)  # the embedded server, a local socket
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                             socket_timeout=REDIS_TIMEOUT_SECONDS)
    return _clients[url]


def _file_name(entry: dict) -> str:
    # sorts by the time received; the suffix keeps two copies of one text apart
    received = datetime.fromisoformat(entry["received_at"]).strftime("%Y%m%dT%H%M%S%f")
    return f"{received}-{entry['MessageSid']}-{uuid.uuid4().hex[:8]}.json"


def _write(folder: Path, name: str, raw: str) -> Path:
    """Write RAW to FOLDER/NAME all at once (a temporary file, renamed), mode 0600."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)
    return folder / name


# ---------------------------------------------------------------- replaying


class BadEntry(ValueError):
    """A spooled text that cannot be handled whatever the database does."""


@dataclass
class Spooled:
    raw: bytes         # as stored: LREM takes the list's item by its exact bytes
    path: Path | None  # None: on the Redis list
    received_at: datetime


def replay() -> dict:
    """Replay what is spooled, oldest first, while the database takes it."""
    conn = connect(settings.current())
    token = uuid.uuid4().hex
    if not conn.set(LOCK_KEY, token, nx=True, ex=LOCK_SECONDS):
        return {"skipped": "another replay is running"}
    try:
        return _replay(conn)
    finally:
        if (conn.get(LOCK_KEY) or b"").decode() == token:
            conn.delete(LOCK_KEY)


def _replay(conn: redis.Redis) -> dict:
    started, counts = time.monotonic(), {"replayed": 0, "set_aside": 0, "left": 0}
    waiting = _waiting(conn)
    for index, item in enumerate(waiting):
        if time.monotonic() - started > BUDGET_SECONDS:
            counts["left"] = len(waiting) - index
            break
        try:
            entry = _parsed(item.raw)
        except BadEntry as bad:
            _set_aside(conn, item, str(bad))
            counts["set_aside"] += 1
            continue
        db = session()
        failure = _attempt(db, entry)
        if isinstance(failure, OperationalError) and _database_up(db):
            failure = _attempt(db, entry)  # a deadlock or a lock timeout passes: once more
        if failure is not None:
            if not _database_up(db):
                log.warning("inbound replay: the database is still unavailable; %d text(s) wait",
                            len(waiting) - index)
                counts["left"] = len(waiting) - index
                break
            log.error("inbound replay: a spooled text could not be handled (%s); set aside",
                      type(failure).__name__, exc_info=failure)
            _set_aside(conn, item, f"could not be handled: {type(failure).__name__}")
            counts["set_aside"] += 1
            continue
        _remove(conn, item)
        counts["replayed"] += 1
    if any(counts.values()):
        log.info("inbound replay: %s", counts)
    return counts


def _waiting(conn: redis.Redis) -> list[Spooled]:
    """The oldest spooled texts from Redis and the files, merged in the order received."""
    items = [Spooled(raw, None, _received(raw)) for raw in conn.lrange(SPOOL_KEY, 0, BATCH - 1)]
    folder = spool_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("[!.]*.json"))[:BATCH]:
            raw = path.read_bytes()
            items.append(Spooled(raw, path, _received(raw)))
    items.sort(key=lambda item: item.received_at)  # stable: each source keeps its own order
    return items[:BATCH]


def _received(raw: bytes) -> datetime:
    try:
        return datetime.fromisoformat(json.loads(raw)["received_at"]).astimezone(UTC)
    except Exception:  # noqa: BLE001 - unreadable: first in line, to be set aside
        return datetime.min.replace(tzinfo=UTC)


def _parsed(raw: bytes) -> dict:
    try:
        entry = json.loads(raw)
    except ValueError:  # UnicodeDecodeError among them
        raise BadEntry("not JSON") from None
    if not isinstance(entry, dict):
        raise BadEntry("not a JSON object")
    if not isinstance(entry.get("MessageSid"), str) or not MESSAGE_SID.fullmatch(entry["MessageSid"]):
        raise BadEntry("no valid MessageSid")
    for name in ("From", "Body", "IdempotencyToken"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            raise BadEntry(f"{name} is not text")
    try:
        entry["received_at"] = datetime.fromisoformat(entry["received_at"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        raise BadEntry("no valid received_at") from None
    return entry


def _replay_one(db: Session, entry: dict) -> None:
    sid, phone = entry["MessageSid"], try_e164(entry.get("From"))
    body = (entry.get("Body") or "").replace("\x00", "")

    def text_back(outcome: inbound_texts.Outcome) -> None:
        # no reply where the live answer would have been none (an unsafe number), where
        # Twilio answers the keyword itself, or where there is no number to text
        if outcome.reply and phone and keywords.keyword(body) not in TWILIO_KEYWORDS:
            queue_sms(db, to=phone, body=outcome.reply, purpose=REPLY_PURPOSE, key=sid)

    # Handled as of now, not as of when it came: the reply is sent now, and what it
    # promises (when we can call back) must hold now.
    received = inbound_texts.receive(db, sid, phone, body, clock.now(), token=entry.get("IdempotencyToken"),
                                     received_at=entry["received_at"], also=text_back)
    action = received.outcome.action if received.outcome else "already stored"
    log.info("inbound %s from %s replayed: %s", sid, pseudonym(phone), action)


def _attempt(db: Session, entry: dict) -> Exception | None:
    """Replay ENTRY; what went wrong (rolled back), or None."""
    try:
        _replay_one(db, entry)
    except Exception as exc:  # noqa: BLE001 - the database, or this text: the caller asks the database which
        _rollback(db)
        return exc
    return None


def _rollback(db: Session) -> None:
    try:
        db.rollback()
    except Exception:  # noqa: BLE001 - the database may be the thing that is down
        log.debug("rollback failed", exc_info=True)


def _database_up(db: Session) -> bool:
    try:
        db.connection().execute(sql("SELECT 1"))
        db.rollback()
        return True
    except Exception:  # noqa: BLE001 - any failure to ask means it is not taking texts
        _rollback(db)
        return False


def _remove(conn: redis.Redis, item: Spooled) -> None:
    if item.path is None:
        conn.lrem(SPOOL_KEY, 1, item.raw)
    else:
        item.path.unlink(missing_ok=True)


def _set_aside(conn: redis.Redis, item: Spooled, reason: str) -> None:
    """Keep ITEM out of the replay with REASON, never dropped."""
    record = json.dumps({"reason": reason, "set_aside_at": clock.now().isoformat(), "spooled": item.raw.decode("utf-8", "replace")})
    log.error("inbound replay: spooled text set aside: %s", reason)
    if item.path is None:
        conn.pipeline().rpush(SET_ASIDE_KEY, record).lrem(SPOOL_KEY, 1, item.raw).execute()
    else:
        _write(item.path.parent / "set-aside", item.path.name, record)
        item.path.unlink(missing_ok=True)
