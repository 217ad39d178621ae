"""The SMS outbox: a row first, then an RQ job that sends it exactly once.

- ``queue_sms`` adds the row in the caller's transaction and enqueues the send job
  only after that transaction commits, so a job never looks for a row that isn't
  there and a rolled-back request sends nothing.
- ``send_message`` claims the row with a conditional UPDATE (only one worker wins),
  waits for a slot in the shared rate limit, sends, and stores Twilio's SID together
  with the "sent" status.
- Transient failures (429/20429, 5xx, timeouts) are retried with backoff; Twilio's
  refusals are final (21610 opted out, 21211/21614 invalid number).
- After a timeout Twilio may have created the message anyway, so before sending
  again the worker looks for it in Twilio's message list and adopts its SID.
- ``sweep_outbox`` re-enqueues rows nobody is working on (a worker killed mid-job,
  a Redis restart), so nothing owed is lost.
"""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta, timezone

import requests
from flask import current_app
from sqlalchemy import event, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException

from desk import clock, config
from desk.phone import try_e164
from desk.redact import pseudonym
from desk.redis_conn import connect
from models.cases import Case
from models.db import engine_for
from models.outbox import (
    CLAIMABLE,
    MessageStatus,
    OutboundMessage,
    is_opted_out,
    record_invalid,
    record_opt_out,
)
from workers.queues import queue
from workers.rate_limit import RateLimiter
from workers.runtime import with_app_context
from workers.twilio_client import make_client

log = logging.getLogger(__name__)

OPTED_OUT_CODES = {21610}
INVALID_NUMBER_CODES = {21211, 21614}
RATE_LIMITED_CODES = {20429}

def setting(name: str):
    return config.setting(name)


# ---------------------------------------------------------------- queueing


def suppression_reason(db: Session, phone: str) -> str | None:
    """Why this number must not be texted, or None.  Checked when queueing and again
    just before sending, since a victim may opt out or a case may change in between."""
    if is_opted_out(db, phone):
        return "recipient opted out"
    unsafe = db.exec(select(Case.id).where(Case.victim_phone == phone, Case.sms_allowed.is_(False))).first()
    if unsafe is not None:
        return "SMS marked unsafe on a case"
    return None


def queue_sms(db: Session, *, to: str, body: str, purpose: str, key: str,
              not_before: datetime | None = None) -> OutboundMessage:
    """The message for (purpose, key), created and queued if it is new."""
    existing = _find(db, purpose, key)
    if existing is not None:
        return existing
    phone = try_e164(to)
    message = OutboundMessage(purpose=purpose, dedupe_key=key, to_number=phone or "invalid",
                              from_number=current_app.config["TWILIO_PHONE_NUMBER"], body=body,
                              not_before=not_before)
    if phone is None:
        message.status, message.note = MessageStatus.INVALID_NUMBER.value, "not a valid phone number"
    elif reason := suppression_reason(db, phone):
        message.status, message.note = MessageStatus.SUPPRESSED.value, reason
    try:
        with db.begin_nested():
            db.add(message)
    except IntegrityError:  # a concurrent request created it first
        return _find(db, purpose, key)
    if message.status == MessageStatus.PENDING.value:
        _enqueue_after_commit(db, message.id)
    log.info("outbox %s/%s to %s: %s", purpose, key, pseudonym(phone), message.status)
    return message


def _find(db: Session, purpose: str, key: str) -> OutboundMessage | None:
    return db.exec(select(OutboundMessage).where(OutboundMessage.purpose == purpose,
                                                 OutboundMessage.dedupe_key == key)).first()


def _enqueue_after_commit(db: Session, message_id: int) -> None:
    db.info.setdefault("outbox_ids", []).append(message_id)
    if not event.contains(db, "after_commit", _after_commit):
        event.listen(db, "after_commit", _after_commit)
        event.listen(db, "after_rollback", _after_rollback)


def _after_commit(db: Session) -> None:
    for message_id in db.info.pop("outbox_ids", []):
        enqueue_send(message_id)


def _after_rollback(db: Session) -> None:
    db.info.pop("outbox_ids", None)


def enqueue_send(message_id: int, delay: float = 0) -> None:
    """Queue the send job; if Redis is unreachable the row stays owed and the sweeper
    queues it later."""
    try:
        q = queue(current_app.config, "outbound")
        if delay > 0:
            q.enqueue_in(timedelta(seconds=delay), send_message, message_id, job_timeout=120)
        else:
            q.enqueue(send_message, message_id, job_timeout=120)
    except Exception:  # noqa: BLE001 - the database row is the promise; Redis is only a nudge
        log.exception("could not queue message %s; the sweeper will", message_id)


# ---------------------------------------------------------------- sending

_limiters: dict[tuple, RateLimiter] = {}
_clients: dict[tuple, object] = {}


def _limiter() -> RateLimiter:
    config = current_app.config
    key = (id(connect(config)), float(setting("SMS_RATE_PER_SECOND")))
    if key not in _limiters:
        _limiters[key] = RateLimiter(connect(config), key[1])
    return _limiters[key]


def _client():
    config = current_app.config
    key = (config["TWILIO_API_BASE"], config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
    if key not in _clients:
        _clients[key] = make_client(config)
    return _clients[key]


def _session() -> Session:
    return Session(engine_for(current_app.config["DATABASE_URL"]), expire_on_commit=False)


@with_app_context
def send_message(message_id: int) -> str:
    """The RQ job: send one outbox row, at most once.  Returns what happened."""
    with _session() as db:
        now = clock.now()
        if not _claim(db, message_id, now):
            return "not claimable"
        message = db.get(OutboundMessage, message_id)
        due = max(filter(None, [message.not_before, message.next_attempt_at]), default=None)
        if due and due > now:
            return _release(db, message, due, "not due yet")
        if reason := suppression_reason(db, message.to_number):
            return _finish(db, message, MessageStatus.SUPPRESSED, note=reason)
        if message.uncertain:
            found = _adopt_existing(db, message)
            if found == "adopted":
                return found
            if found == "unknown":  # sending now could text the victim twice
                return _retry(db, message, "could not look for it at Twilio yet")
        if not _limiter().wait_for_slot(message.from_number):
            message.attempts -= 1  # waiting for a slot is not a failed attempt
            return _release(db, message, now + timedelta(seconds=1), "rate limited here")
        return _send(db, message)


def _claim(db: Session, message_id: int, now: datetime) -> bool:
    result = db.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id,
               OutboundMessage.status.in_([s.value for s in CLAIMABLE]))
        .values(status=MessageStatus.SENDING.value, claimed_at=now, updated_at=now,
                attempts=OutboundMessage.attempts + 1))
    db.commit()
    return result.rowcount == 1


def _send(db: Session, message: OutboundMessage) -> str:
    config = current_app.config
    callback = (config.get("PUBLIC_BASE_URL") or "").rstrip("/") + "/sms/status" \
        if config.get("PUBLIC_BASE_URL") else None
    try:
        sent = _client().messages.create(to=message.to_number, from_=message.from_number,
                                         body=message.body, status_callback=callback)
    except (TwilioRestException, TwilioServiceException) as exc:
        return _refused(db, message, exc)
    except (requests.Timeout, requests.ConnectionError) as exc:
        # Twilio may or may not have the message: look before sending again
        message.uncertain = True
        return _retry(db, message, f"no answer from Twilio ({type(exc).__name__})")
    message.twilio_sid, message.twilio_status = sent.sid, sent.status
    message.uncertain = False
    return _finish(db, message, MessageStatus.SENT, sent_at=clock.now())


def _refused(db: Session, message: OutboundMessage, exc) -> str:
    code, status = getattr(exc, "code", None), getattr(exc, "status", None)
    message.error_code = code
    if code in OPTED_OUT_CODES:
        record_opt_out(db, message.to_number, source=f"twilio-{code}")
        return _finish(db, message, MessageStatus.OPTED_OUT, note="Twilio: recipient unsubscribed")
    if code in INVALID_NUMBER_CODES:
        record_invalid(db, message.to_number, source=f"twilio-{code}")
        return _finish(db, message, MessageStatus.INVALID_NUMBER, note="Twilio: not a textable number")
    if code in RATE_LIMITED_CODES or status == 429 or (status or 0) >= 500:
        return _retry(db, message, f"Twilio {status}/{code}")
    return _finish(db, message, MessageStatus.FAILED, note=f"Twilio refused: {status}/{code}")


def _retry(db: Session, message: OutboundMessage, why: str) -> str:
    if message.attempts >= int(setting("SMS_MAX_ATTEMPTS")):
        return _finish(db, message, MessageStatus.FAILED, note=f"gave up after {message.attempts} attempts: {why}")
    base, cap = float(setting("SMS_RETRY_BASE_SECONDS")), float(setting("SMS_RETRY_MAX_SECONDS"))
    delay = min(base * 2 ** (message.attempts - 1), cap)
    delay *= random.uniform(1.0, 1.2)  # spread retries so workers don't stampede Twilio
    return _release(db, message, clock.now() + timedelta(seconds=delay), why, delay=delay)


def _release(db: Session, message: OutboundMessage, due: datetime, why: str, delay: float | None = None) -> str:
    """Give the row back (status retry, due at DUE) and queue a job for then."""
    message.status, message.next_attempt_at, message.note = MessageStatus.RETRY.value, due, why[:200]
    message.updated_at = clock.now()
    db.add(message)
    db.commit()
    enqueue_send(message.id, delay if delay is not None else max(0.0, (due - clock.now()).total_seconds()))
    return "retry"


def _finish(db: Session, message: OutboundMessage, status: MessageStatus, **fields) -> str:
    message.status = status.value
    for name, value in fields.items():
        setattr(message, name, value)
    message.updated_at = clock.now()
    db.add(message)
    db.commit()
    log.info("message %s %s", message.id, message.status)
    return message.status


def _adopt_existing(db: Session, message: OutboundMessage) -> str:
    """After an unanswered send, find the message if Twilio created it after all:
    "adopted" (found and recorded as sent), "absent" (safe to send) or "unknown"."""
    if _older_twin_in_flight(db, message):
        # An identical text to the same number is being sent right now and its SID is
        # not stored yet: at Twilio the two are indistinguishable, so wait for it
        # rather than take its message for ours (and leave ours unsent).
        return "unknown"
    # Twilio stamps date_created by the wall clock, while claimed_at is on the desk
    # clock (set by tests and the emulator): carry the claim's age across, not its time.
    claim_age = clock.now() - (message.claimed_at or clock.now())
    since = datetime.now(timezone.utc) - claim_age - timedelta(hours=1)
    try:
        # every page back to the claim, not just the newest 50: a busy number may have
        # had many texts since (Twilio lists newest first, so stop at the first older one)
        candidates = []
        for found in _client().messages.stream(to=message.to_number, from_=message.from_number, page_size=100):
            if found.date_created is not None and found.date_created < since:
                break
            candidates.append(found)
    except (TwilioException, requests.RequestException):  # a failed list page is a bare TwilioException
        return "unknown"
    known = set(db.exec(select(OutboundMessage.twilio_sid).where(
        OutboundMessage.twilio_sid.in_([found.sid for found in candidates]))).all())
    for found in candidates:
        created = found.date_created
        if found.sid not in known and found.body == message.body and (created is None or created >= since):
            message.twilio_sid, message.twilio_status, message.uncertain = found.sid, found.status, False
            _finish(db, message, MessageStatus.SENT, sent_at=clock.now(), note="found at Twilio after a timeout")
            return "adopted"
    message.uncertain = False
    return "absent"


def _older_twin_in_flight(db: Session, message: OutboundMessage) -> bool:
    """Another row, older than MESSAGE (so two twins never wait for each other), with the
    same number and text, claimed for sending and not yet holding its SID."""
    return db.exec(select(OutboundMessage.id).where(
        OutboundMessage.id < message.id, OutboundMessage.to_number == message.to_number,
        OutboundMessage.body == message.body, OutboundMessage.status == MessageStatus.SENDING.value,
        OutboundMessage.twilio_sid.is_(None)).limit(1)).first() is not None


# ---------------------------------------------------------------- status callbacks

# Twilio's message statuses in the order they happen; a callback never moves a row back.
_RANK = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
         "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5}
_FINAL = {"delivered": MessageStatus.DELIVERED, "read": MessageStatus.DELIVERED,
          "undelivered": MessageStatus.UNDELIVERED, "failed": MessageStatus.FAILED,
          "canceled": MessageStatus.FAILED}


def apply_delivery_status(db: Session, message_sid: str, status: str, error_code: str | int | None) -> bool:
    """Record a /sms/status callback.  Idempotent; a late or repeated callback that
    would move the message backwards is ignored.  False when the SID is unknown.

    Callbacks for one message can be handled at the same moment by two web workers, so
    the change is a compare-and-set on the status we read; the loser looks again."""
    status = (status or "").lower()
    code = int(error_code) if str(error_code or "").isdigit() else None
    for _ in range(len(_RANK)):  # each lost race means the row moved forward: this ends
        message = db.exec(select(OutboundMessage).where(OutboundMessage.twilio_sid == message_sid)
                          .execution_options(populate_existing=True)).first()
        if message is None or status not in _RANK:
            return False
        seen = message.twilio_status
        current = _RANK.get(seen or "", -1)
        if _RANK[status] < current or (_RANK[status] == current and current >= 4):
            return True
        values = {"twilio_status": status, "updated_at": clock.now()}
        if code:
            values["error_code"] = code
        if status in _FINAL:
            values["status"] = _FINAL[status].value
            if _FINAL[status] is MessageStatus.DELIVERED:
                values["delivered_at"] = clock.now()
        unchanged = OutboundMessage.twilio_status.is_(None) if seen is None else OutboundMessage.twilio_status == seen
        if db.execute(update(OutboundMessage).where(OutboundMessage.id == message.id, unchanged)
                      .values(**values)).rowcount == 1:
            if code in OPTED_OUT_CODES:
                record_opt_out(db, message.to_number, source=f"twilio-{code}")
            return True
    return True


# ---------------------------------------------------------------- sweeping


def _outbound_waiting() -> int:
    """Send jobs waiting in the queue now (not the delayed ones); 0 if Redis is away."""
    try:
        return queue(current_app.config, "outbound").count
    except Exception:  # noqa: BLE001 - nothing can be queued either; the rows wait for the next sweep
        return 0


@with_app_context
def sweep_outbox() -> dict:
    """Re-queue every row still owed: due pending/retry rows whose job may be lost, and
    rows a dead worker claimed (their outcome is uncertain, so they look first)."""
    now = clock.now()
    grace = timedelta(seconds=float(setting("OUTBOX_SWEEP_GRACE_SECONDS")))
    stale = now - timedelta(seconds=float(setting("OUTBOX_STALE_CLAIM_SECONDS")))
    with _session() as db:
        lost = db.exec(select(OutboundMessage).where(OutboundMessage.status == MessageStatus.SENDING.value,
                                                     OutboundMessage.claimed_at <= stale)).all()
        for message in lost:
            message.status, message.uncertain, message.note = MessageStatus.RETRY.value, True, "worker lost"
            db.add(message)
        db.commit()
        owed: list[int] = []
        # While texts are still waiting in the queue, an owed row's job is most likely
        # among them: re-queueing now would add a job per row per sweep under a backlog.
        # Rows whose jobs were truly lost (Redis restarted) are all found once it drains.
        if _outbound_waiting() == 0:
            owed = db.exec(select(OutboundMessage.id).where(
                OutboundMessage.status.in_([s.value for s in CLAIMABLE]),
                or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= now),
                or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= now),
                OutboundMessage.updated_at <= now - grace)).all()
        # a lost worker's rows go back in line at once: their jobs died with it
        again = list(dict.fromkeys([message.id for message in lost] + list(owed)))
        for message_id in again:
            enqueue_send(message_id)
    requeued, reclaimed = len(again), len(lost)
    if requeued or reclaimed:
        log.info("outbox sweep: %d re-queued, %d reclaimed from lost workers", requeued, reclaimed)
    return {"requeued": requeued, "reclaimed": reclaimed}
