"""The SMS outbox: a row first, then an RQ job that sends it exactly once.

- ``queue_sms`` adds the row in the caller's transaction and enqueues the send job
  only after that transaction commits, so a job never looks for a row that isn't
  there and a rolled-back request sends nothing.
- A row committed on its own gets a ``send_message`` job.  Rows committed together (a
  fan-out of case updates, a batch of survey invitations, what one sweep finds) get
  one ``send_messages`` job per ``SEND_BATCH`` rows.
- Every row, alone or in a batch, is handled the same way: it is claimed with its own
  conditional UPDATE, committed before anything is sent (only one worker wins); it
  waits for a slot in the shared rate limit (one slot per SMS segment, as Twilio
  counts throughput, so the limit stays exact); it is sent; and Twilio's SID is
  stored with the "sent" status in its own commit.  A job that dies mid-batch therefore leaves at most one row "sending" (the
  sweeper reclaims it as uncertain, below) and the rest pending (the sweeper
  re-queues them).
- Why batches: RQ runs each job in a freshly forked work horse, which opens its own
  database, Redis and HTTP connections and compiles its SQL again, and whatever it
  sets up dies with it: per job, RQ's own cost and that set-up each outweigh sending
  one text once set up (bench/README.md, outbox).  A batch pays them once.
  A batch stops early, queueing its unclaimed rows as a new job, when the rate limit
  says to come back later and after half the job's timeout, so it never runs into it.
- Twilio's errors are read by kind (services/send_errors.py): the recipient's are
  final (21610 opted out, 21211/21614 invalid number), passing ones (429, 5xx, 21611,
  timeouts) are retried with backoff until the text is ``SMS_RETRY_MAX_AGE_HOURS``
  old, and a fault in our own set-up (20003, 21606) pauses all sending instead of
  failing every text.
- The quiet hours are checked immediately before each send, however late the worker
  gets to a row (a first attempt, a retry, a swept row): a text the desk starts
  (``QUIET_PURPOSES``) that is caught by them waits, unattempted, for their end.
- After a timeout Twilio may have created the message anyway, so before sending
  again the worker looks for it in Twilio's message list and adopts its SID.
- Survey emails are rows too (``queue_email``, channel "email"): the same claim, job,
  quiet hours and retries, handed to services/email_sender.py instead of Twilio; an
  email whose outcome is unknown is never sent again (SMTP has no message list to look in).
- ``sweep_outbox`` re-enqueues rows nobody is working on (a worker killed mid-job,
  a Redis restart), so nothing owed is lost.  A claim counts as abandoned only once
  it is older than ``OUTBOX_STALE_CLAIM_SECONDS``, which must be longer than the send
  job's timeout (``desk.SEND_JOB_TIMEOUT_SECONDS``; checked at start-up): a
  job is killed at its timeout, so an older claim's worker cannot still be sending.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import event, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException

from desk import clock, settings
from desk.metrics import SMS_OUTBOUND
from desk.queues import queue
from desk.redact import pseudonym
from desk.redis_conn import connect
from desk.settings import SEND_JOB_TIMEOUT_SECONDS
from flows.phone import try_e164
from flows.sms_schedule import next_send_time
from flows.sms_texts import segments
from models.cases import Case
from models.db import engine_for
from models.outbox import (
    CLAIMABLE,
    MessageStatus,
    OutboundMessage,
    is_email_opted_out,
    is_opted_out,
    record_invalid,
    record_opt_out,
)
from models.surveys import invitation_reached
from services import email_sender, send_errors
from services.rate_limit import RateLimiter
from services.send_errors import INVALID_NUMBER_CODES, OPTED_OUT_CODES, ErrorKind
from services.twilio_client import make_client

log = logging.getLogger(__name__)

# the job entry points (workers/outbox.py), queued by name: services never import workers
SEND_JOB = "workers.outbox.send_message"
SEND_BATCH_JOB = "workers.outbox.send_messages"

# Texts the desk starts keep the quiet hours; replies to what the victim has just
# sent (HELP, keyword confirmations, the leaflet they asked for on the phone) do not.
QUIET_PURPOSES = frozenset({"case_update", "survey_invite"})

# Rows per send job at most: enough to spread the per-job set-up thinly, few enough
# that a fan-out still spreads over the workers and a batch at the default 10 texts/s
# takes about two seconds.
SEND_BATCH = 20
# A batch takes no new row after this long; its unclaimed rows go to a new job.
BATCH_BUDGET_SECONDS = SEND_JOB_TIMEOUT_SECONDS / 2
RATE_LIMITED = "rate limited"
PAUSED = "paused"
QUIET = "quiet hours"
EMAIL = "email"  # OutboundMessage.channel of an email; texts are "sms"

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
                              from_number=settings.current()["TWILIO_PHONE_NUMBER"], body=body,
                              not_before=not_before)
    if phone is None:
        message.status, message.note = MessageStatus.INVALID_NUMBER.value, "not a valid phone number"
    elif reason := suppression_reason(db, phone):
        message.status, message.note = MessageStatus.SUPPRESSED.value, reason
    log.info("outbox %s/%s to %s: %s", purpose, key, pseudonym(phone), message.status)
    return _insert_once(db, message)


def queue_email(db: Session, *, to: str, subject: str, body: str, purpose: str, key: str,
                not_before: datetime | None = None) -> OutboundMessage:
    """An email for (purpose, key), created and queued if it is new: the same row, job
    and guarantees as a text; the worker hands it to services/email_sender.py."""
    existing = _find(db, purpose, key)
    if existing is not None:
        return existing
    message = OutboundMessage(purpose=purpose, dedupe_key=key, channel=EMAIL, to_number="", from_number="",
                              to_email=to.lower(), subject=subject, body=body, not_before=not_before)
    if is_email_opted_out(db, to):
        message.status, message.note = MessageStatus.SUPPRESSED.value, "address unsubscribed"
    log.info("outbox %s/%s by email: %s", purpose, key, message.status)
    return _insert_once(db, message)


def _insert_once(db: Session, message: OutboundMessage) -> OutboundMessage:
    """Add MESSAGE (queued after the commit when pending), or the row a concurrent
    request made first for its (purpose, key)."""
    try:
        with db.begin_nested():
            db.add(message)
    except IntegrityError:  # a concurrent request created it first
        return _find(db, message.purpose, message.dedupe_key)
    if message.status == MessageStatus.PENDING.value:
        _enqueue_after_commit(db, message.id)
    return message


def _find(db: Session, purpose: str, key: str) -> OutboundMessage | None:
    return db.exec(select(OutboundMessage).where(OutboundMessage.purpose == purpose,
                                                 OutboundMessage.dedupe_key == key)).first()


def _enqueue_after_commit(db: Session, message_id: int) -> None:
    db.info.setdefault("outbox_ids", []).append(message_id)
    if not event.contains(db, "after_commit", _after_commit):
        event.listen(db, "after_commit", _after_commit)
        event.listen(db, "after_rollback", _after_rollback)


# SQLAlchemy also sends after_commit / after_rollback when a SAVEPOINT (begin_nested,
# as queue_sms uses) is released or rolled back: only the outermost transaction's count.
def _after_commit(db: Session) -> None:
    if not db.in_nested_transaction():
        enqueue_sends(db.info.pop("outbox_ids", []))


def _after_rollback(db: Session) -> None:
    if not db.in_nested_transaction():
        db.info.pop("outbox_ids", None)


def enqueue_sends(message_ids: Sequence[int], delay: float = 0) -> None:
    """Queue jobs for these rows, ``SEND_BATCH`` to a job."""
    ids = list(dict.fromkeys(message_ids))
    for start in range(0, len(ids), SEND_BATCH):
        enqueue_send(ids[start:start + SEND_BATCH], delay)


def enqueue_send(message_ids: int | Sequence[int], delay: float = 0) -> None:
    """Queue one send job for a row (``send_message``) or a few (``send_messages``); if
    Redis is unreachable the rows stay owed and the sweeper queues them later."""
    ids = [message_ids] if isinstance(message_ids, int) else list(message_ids)
    if not ids:
        return
    job, args = (SEND_JOB, (ids[0],)) if len(ids) == 1 else (SEND_BATCH_JOB, (ids,))
    try:
        q = queue(settings.current(), "outbound")
        if delay > 0:
            q.enqueue_in(timedelta(seconds=delay), job, *args, job_timeout=SEND_JOB_TIMEOUT_SECONDS)
        else:
            q.enqueue(job, *args, job_timeout=SEND_JOB_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - the database row is the promise; Redis is only a nudge
        log.exception("could not queue message(s) %s; the sweeper will", ids)


# ---------------------------------------------------------------- sending

_limiters: dict[tuple, RateLimiter] = {}
_clients: dict[tuple, object] = {}


def _limiter() -> RateLimiter:
    config = settings.current()
    key = (id(connect(config)), settings.current()["SMS_RATE_PER_SECOND"])
    if key not in _limiters:
        _limiters[key] = RateLimiter(connect(config), key[1])
    return _limiters[key]


def _client():
    config = settings.current()
    key = (config["TWILIO_API_BASE"], config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
    if key not in _clients:
        _clients[key] = make_client(config)
    return _clients[key]


def _session() -> Session:
    return Session(engine_for(settings.current()["DATABASE_URL"]), expire_on_commit=False)


def send_message(message_id: int) -> str:
    """The RQ job for one row: send it, at most once.  Returns what happened."""
    with _session() as db:
        outcome = _send_one(db, message_id)
    if outcome in (RATE_LIMITED, PAUSED, QUIET):
        enqueue_send(message_id, delay=_come_back_in(outcome))
    return outcome


def _come_back_in(outcome: str) -> float:
    """Seconds until a row handed back unsent (rate limit, pause, quiet hours) is worth trying."""
    now = clock.now()
    if outcome == PAUSED:
        pause = send_errors.paused()
        return max(1.0, (send_errors.pause_ends(pause) - now).total_seconds()) if pause else 1.0
    if outcome == QUIET:
        return max(1.0, (_quiet_until(now) - now).total_seconds())
    return 1.0


def send_messages(message_ids: list[int]) -> dict[int, str]:
    """The RQ job for rows committed together: each is sent as ``send_message`` would,
    one after the other, on one database session, Redis connection and HTTP client.
    Returns what happened to each row ("re-queued": left unclaimed for a new job)."""
    started, outcomes, left, delay, quiet = time.monotonic(), {}, [], 0.0, []
    with _session() as db:
        for index, message_id in enumerate(message_ids):
            if index and time.monotonic() - started > BATCH_BUDGET_SECONDS:
                left = message_ids[index:]
                break
            try:
                outcome = _send_one(db, message_id)
            except BaseException:
                # The row in hand is either unclaimed (the sweeper re-queues it) or
                # claimed and uncertain (the sweeper reclaims it once stale and looks
                # it up at Twilio first); the rest need not wait for either.
                enqueue_send(message_ids[index + 1:])
                raise
            if outcome in (RATE_LIMITED, PAUSED):  # no slot soon, or paused: this row (released) and the rest
                left, delay = message_ids[index:], _come_back_in(outcome)
                break
            if outcome == QUIET:  # its place kept: one job for the batch's quiet rows, at the window's end
                quiet.append(message_id)
            outcomes[message_id] = outcome
    enqueue_send(left, delay)
    enqueue_send(quiet, _come_back_in(QUIET) if quiet else 0)
    outcomes.update((message_id, "re-queued") for message_id in left)
    return outcomes


def _send_one(db: Session, message_id: int) -> str:
    """Claim, check, wait for a rate slot, send and finish one row, at most once."""
    now = clock.now()
    message = _claim(db, message_id, now)
    if message is None:
        return "not claimable"
    due = max(filter(None, [message.not_before, message.next_attempt_at]), default=None)
    if due and due > now:
        return _release(db, message, due, "not due yet")
    if message.channel == EMAIL:
        return _send_email(db, message, now)
    if reason := suppression_reason(db, message.to_number):
        return _finish(db, message, MessageStatus.SUPPRESSED, note=reason)
    if (pause := send_errors.paused()) is not None:
        message.attempts -= 1  # nothing was tried
        _release(db, message, send_errors.pause_ends(pause), f"sending paused (Twilio error {pause['code']})",
                 requeue=False)
        return PAUSED  # the caller queues it again when the pause ends
    if message.purpose in QUIET_PURPOSES and (ends := _quiet_until(now)) > now:
        message.attempts -= 1  # a text held for the morning has not failed
        _release(db, message, ends, "quiet hours", requeue=False)
        return QUIET
    if message.uncertain:
        found = _adopt_existing(db, message)
        if found == "adopted":
            return found
        if found == "unknown":  # sending now could text the victim twice
            return _retry(db, message, "could not look for it at Twilio yet")
    if not _limiter().wait_for_slot(message.from_number, segments(message.body)):
        message.attempts -= 1  # waiting for a slot is not a failed attempt
        _release(db, message, now + timedelta(seconds=1), "rate limited here", requeue=False)
        return RATE_LIMITED  # the caller queues it again, in 1 s
    return _send(db, message)


def _quiet_until(now: datetime) -> datetime:
    """NOW, or the end of the quiet hours NOW falls in."""
    return next_send_time(now, settings.current()["SMS_QUIET_HOURS"])


def _claim(db: Session, message_id: int, now: datetime) -> OutboundMessage | None:
    """Take the row if it is claimable (a conditional UPDATE: one worker wins) and
    commit that before anything is sent.  The row as claimed, or None."""
    claim = (update(OutboundMessage)
             .where(OutboundMessage.id == message_id, OutboundMessage.status.in_([s.value for s in CLAIMABLE]))
             .values(status=MessageStatus.SENDING.value, claimed_at=now, updated_at=now,
                     attempts=OutboundMessage.attempts + 1))
    if db.get_bind().dialect.update_returning:  # PostgreSQL, SQLite >= 3.35: one statement
        message = db.execute(claim.returning(OutboundMessage),
                             execution_options={"populate_existing": True}).scalars().first()
        db.commit()
        return message
    won = db.execute(claim).rowcount == 1
    db.commit()
    return db.get(OutboundMessage, message_id, populate_existing=True) if won else None


def _send(db: Session, message: OutboundMessage) -> str:
    config = settings.current()
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


def _send_email(db: Session, message: OutboundMessage, now: datetime) -> str:
    """An email row, claimed and due: quiet hours and the address's unsubscribe are
    checked now, as a text's are, then it goes to the mail server."""
    config = settings.current()
    if message.uncertain:  # its worker died mid-send (the sweeper says so): SMTP cannot be asked
        return _finish(db, message, MessageStatus.FAILED, note="a worker stopped while sending; not sent again")
    if (resume := _quiet_until(now)) > now:
        message.attempts -= 1  # waiting out the night is not a failed attempt
        return _release(db, message, resume, "quiet hours")
    if is_email_opted_out(db, message.to_email or ""):
        return _finish(db, message, MessageStatus.SUPPRESSED, note="address unsubscribed")
    mail = email_sender.build(row_id=message.id, to=message.to_email, subject=message.subject or "",
                              body=message.body, config=config)
    try:
        email_sender.deliver(mail, config)
    except email_sender.Temporary as exc:
        return _retry(db, message, str(exc))
    except email_sender.Permanent as exc:
        message.error_code = exc.code
        return _finish(db, message, MessageStatus.FAILED, note=str(exc))
    except email_sender.Uncertain as exc:  # the server may have it: never a second copy
        return _finish(db, message, MessageStatus.FAILED, note=f"{exc}; not sent again")
    return _finish(db, message, MessageStatus.SENT, sent_at=clock.now())


def _refused(db: Session, message: OutboundMessage, exc) -> str:
    code, status = getattr(exc, "code", None), getattr(exc, "status", None)
    message.error_code = code
    kind = send_errors.classify(code, status)
    if kind is ErrorKind.CONFIGURATION:  # not this text's fault: every text would fail so
        message.attempts -= 1
        ends = send_errors.pause(code, status)
        _release(db, message, ends, f"sending paused: Twilio {status}/{code}", requeue=False)
        return PAUSED
    if code in OPTED_OUT_CODES:
        record_opt_out(db, message.to_number, source=f"twilio-{code}")
        return _finish(db, message, MessageStatus.OPTED_OUT, note="Twilio: recipient unsubscribed")
    if code in INVALID_NUMBER_CODES:
        record_invalid(db, message.to_number, source=f"twilio-{code}")
        return _finish(db, message, MessageStatus.INVALID_NUMBER, note="Twilio: not a textable number")
    if kind is ErrorKind.RECIPIENT:
        return _finish(db, message, MessageStatus.FAILED, note=f"Twilio refused: {status}/{code}")
    return _retry(db, message, f"Twilio {status}/{code}")


def _retry(db: Session, message: OutboundMessage, why: str) -> str:
    # bounded by age, not a count: a long outage is waited out, a day-old text is not sent
    hours = settings.current()["SMS_RETRY_MAX_AGE_HOURS"]
    owed_since = max(_aware(moment) for moment in (message.created_at, message.not_before) if moment)
    if clock.now() - owed_since >= timedelta(hours=hours):
        return _finish(db, message, MessageStatus.FAILED,
                       note=f"gave up after {hours:g} hours ({message.attempts} attempts): {why}"[:200])
    base, cap = settings.current()["SMS_RETRY_BASE_SECONDS"], settings.current()["SMS_RETRY_MAX_SECONDS"]
    delay = min(base * 2 ** min(max(message.attempts - 1, 0), 30), cap)  # attempts are unbounded now
    delay *= random.uniform(1.0, 1.2)  # spread retries so workers don't stampede Twilio
    log.warning("message %s to %s: attempt %s failed (%s, Twilio error %s); retrying in %.0f s",
                message.id, pseudonym(message.to_number), message.attempts, why, message.error_code, delay)
    return _release(db, message, clock.now() + timedelta(seconds=delay), why, delay=delay)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite keeps no offset


def _release(db: Session, message: OutboundMessage, due: datetime, why: str, delay: float | None = None,
             requeue: bool = True) -> str:
    """Give the row back (status retry, due at DUE) and (unless not REQUEUE) queue a job for then."""
    message.status, message.next_attempt_at, message.note = MessageStatus.RETRY.value, due, why[:200]
    message.updated_at = clock.now()
    db.add(message)
    db.commit()
    if requeue:
        enqueue_send(message.id, delay if delay is not None else max(0.0, (due - clock.now()).total_seconds()))
    return "retry"


def _finish(db: Session, message: OutboundMessage, status: MessageStatus, **fields) -> str:
    message.status = status.value
    for name, value in fields.items():
        setattr(message, name, value)
    message.updated_at = clock.now()
    db.add(message)
    if message.channel == "email" and status is MessageStatus.SENT:
        _note_reached(db, message)  # email has no delivery report: the server's acceptance is all there is
    db.commit()
    log.log(logging.ERROR if status is MessageStatus.FAILED else logging.INFO, "message %s %s (to %s, attempt %s, "
            "Twilio error %s)%s", message.id, message.status, pseudonym(message.to_number), message.attempts,
            message.error_code, f": {message.note}" if status is MessageStatus.FAILED else "")
    SMS_OUTBOUND.labels(message.status).inc()
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
            if values.get("status") == MessageStatus.DELIVERED.value:
                _note_reached(db, message)
            if code in OPTED_OUT_CODES:
                record_opt_out(db, message.to_number, source=f"twilio-{code}")
            return True
    return True


def _note_reached(db: Session, message: OutboundMessage) -> None:
    """A survey's invitation reached the victim: the response rates count it (models/surveys.py)."""
    statement = invitation_reached(message.purpose, message.dedupe_key, clock.now())
    if statement is not None:
        db.execute(statement)


# ---------------------------------------------------------------- sweeping


def _outbound_waiting() -> int:
    """Send jobs waiting in the queue now (not the delayed ones); 0 if Redis is away."""
    try:
        return queue(settings.current(), "outbound").count
    except Exception:  # noqa: BLE001 - nothing can be queued either; the rows wait for the next sweep
        return 0


def sweep_outbox() -> dict:
    """Re-queue every row still owed: due pending/retry rows whose job may be lost, and
    rows a dead worker claimed (their outcome is uncertain, so they look first)."""
    now = clock.now()
    grace = timedelta(seconds=settings.current()["OUTBOX_SWEEP_GRACE_SECONDS"])
    stale = now - timedelta(seconds=settings.current()["OUTBOX_STALE_CLAIM_SECONDS"])
    with _session() as db:
        lost = db.exec(select(OutboundMessage).where(OutboundMessage.status == MessageStatus.SENDING.value,
                                                     OutboundMessage.claimed_at <= stale)
                      .order_by(OutboundMessage.id)).all()
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
                OutboundMessage.updated_at <= now - grace).order_by(OutboundMessage.id)).all()  # oldest first
        # a lost worker's rows go back in line at once: their jobs died with it
        again = list(dict.fromkeys([message.id for message in lost] + list(owed)))
        enqueue_sends(again)
    requeued, reclaimed = len(again), len(lost)
    if requeued or reclaimed:
        log.info("outbox sweep: %d re-queued, %d reclaimed from lost workers", requeued, reclaimed)
    return {"requeued": requeued, "reclaimed": reclaimed}
