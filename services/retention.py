"""Anonymise calls, texts, callbacks and surveys older than RETENTION_DAYS.

Rows are anonymised, not deleted, so the figures supervisors report on (how many
calls, waits, outcomes, ratings, officers, boroughs) stay the same; what goes is
whatever identifies or describes the victim: phone numbers, message bodies, comments,
agents' notes on callbacks, crime references, links to cases and the call flow's saved
state.

Kept on purpose:
- opt-outs (sms_recipients with opted_out or invalid set): a STOP must outlive
  retention, or after anonymising the old texts we would text someone who asked us
  not to.  Rows that record neither hold a number for no reason and are deleted.
- queue events, callback attempts and Twilio SIDs: no personal data in them.
- anything still in progress (a text still owed, a callback still pending): the
  workers need the number to finish the job.

The job is idempotent (a second run finds nothing to do), works in batches by id so
a backlog of millions never loads at once or holds a long lock, and logs only counts.

    flask --app wsgi retention run [--dry-run]     (also a daily periodic job, workers/retention.py)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, literal, not_, or_, select, update
from sqlmodel import Session

from desk import clock, settings
from models.callbacks import CallbackRequest
from models.calls import Call
from models.db import current_engine
from models.outbox import CLAIMABLE, MessageStatus, OutboundMessage, SmsRecipient
from models.staff import CallbackNote
from models.surveys import Engagement, InboundMessage, Survey

log = logging.getLogger(__name__)

ANONYMISED = "anonymised"
ENGAGEMENT_PREFIX = "anon:"  # engagements are unique on the phone: each gets "anon:<id>"


@dataclass(frozen=True)
class Rule:
    """One table: how old a row is, when it still holds personal data, what replaces it."""
    name: str
    model: type
    age: object                                   # the column saying when the row was made
    personal: object                              # SQL condition: not yet anonymised
    values: dict                                  # the UPDATE's SET clause
    only: list = field(default_factory=list)      # further conditions (e.g. finished rows only)


def rules() -> list[Rule]:
    owed = [s.value for s in CLAIMABLE] + [MessageStatus.SENDING.value]
    return [
        Rule("calls", Call, Call.started_at,
             or_(Call.caller.is_not(None), Call.called.is_not(None), Call.verified_case_id.is_not(None),
                 cast(Call.state, String) != "{}"),
             {"caller": None, "called": None, "verified_case_id": None, "state": {}}),
        Rule("callback_requests", CallbackRequest, CallbackRequest.requested_at,
             or_(CallbackRequest.phone != ANONYMISED, CallbackRequest.verified_case_id.is_not(None),
                 CallbackRequest.window_start.is_not(None), CallbackRequest.window_end.is_not(None)),
             {"phone": ANONYMISED, "verified_case_id": None, "window_start": None, "window_end": None},
             only=[CallbackRequest.status.in_(("completed", "failed", "cancelled"))]),
        # an agent's note on a callback describes the victim's situation; the outcome stays
        Rule("callback_notes", CallbackNote, CallbackNote.at, CallbackNote.note != "", {"note": ""}),
        Rule("outbound_messages", OutboundMessage, OutboundMessage.created_at,
             or_(OutboundMessage.to_number != ANONYMISED, OutboundMessage.body != ""),
             {"to_number": ANONYMISED, "body": ""},
             only=[OutboundMessage.status.not_in(owed)]),
        Rule("inbound_messages", InboundMessage, InboundMessage.received_at,
             or_(InboundMessage.from_pseudonym != ANONYMISED, InboundMessage.reply.is_not(None)),
             {"from_pseudonym": ANONYMISED, "reply": None}),
        Rule("engagements", Engagement, Engagement.created_at,
             or_(not_(Engagement.victim_phone.startswith(ENGAGEMENT_PREFIX)),
                 Engagement.crime_reference.is_not(None)),
             {"victim_phone": literal(ENGAGEMENT_PREFIX) + cast(Engagement.id, String), "crime_reference": None}),
        Rule("surveys", Survey, Survey.created_at,
             or_(Survey.phone != ANONYMISED, Survey.comment.is_not(None)),
             {"phone": ANONYMISED, "comment": None}),
    ]


def cutoff() -> datetime:
    return clock.now() - timedelta(days=settings.current()["RETENTION_DAYS"])


def anonymise_old_records(dry_run: bool = False) -> dict[str, int]:
    """The RQ job: anonymise what is past retention.  Returns rows changed per table
    (with ``dry_run``, the rows that would be)."""
    before, size = cutoff(), settings.current()["RETENTION_BATCH_SIZE"]
    counts: dict[str, int] = {}
    with Session(current_engine()) as db:
        for rule in rules():
            counts[rule.name] = _anonymise(db, rule, before, size, dry_run)
        counts["sms_recipients_forgotten"] = _forget_recipients(db, before, size, dry_run)
    log.info("retention%s: %s", " (dry run)" if dry_run else "",
             ", ".join(f"{name} {n}" for name, n in counts.items()))
    return counts


def _anonymise(db: Session, rule: Rule, before: datetime, size: int, dry_run: bool) -> int:
    model, done, last_id = rule.model, 0, 0
    while True:
        ids = db.execute(select(model.id).where(model.id > last_id, rule.age < before, rule.personal, *rule.only)
                         .order_by(model.id).limit(size)).scalars().all()
        if not ids:
            return done
        if not dry_run:
            db.execute(update(model).where(model.id.in_(ids)).values(**rule.values)
                       .execution_options(synchronize_session=False))
            db.commit()
        done, last_id = done + len(ids), ids[-1]


def _forget_recipients(db: Session, before: datetime, size: int, dry_run: bool) -> int:
    """Delete old recipient rows that neither opt out nor mark a number invalid."""
    done, last_id = 0, 0
    while True:
        ids = db.execute(select(SmsRecipient.id).where(
            SmsRecipient.id > last_id, SmsRecipient.changed_at < before,
            SmsRecipient.opted_out.is_(False), SmsRecipient.invalid.is_(False))
            .order_by(SmsRecipient.id).limit(size)).scalars().all()
        if not ids:
            return done
        if not dry_run:
            db.execute(delete(SmsRecipient).where(SmsRecipient.id.in_(ids)))
            db.commit()
        done, last_id = done + len(ids), ids[-1]

