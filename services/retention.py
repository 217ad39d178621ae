"""Anonymise what is past its retention period; delete the audit log after its own.

Rows are anonymised, not deleted, so the figures supervisors report on (how many
calls, waits, outcomes, ratings, officers, boroughs, cases by status) stay the same;
what goes is whatever identifies or describes the victim: phone numbers, names, message
bodies, inbox messages, comments, agents' notes on callbacks, crime references, links to cases and the
call flow's saved state.

Periods (desk/settings.py, Records; the README's "Retention" section lists every table):
- calls, texts, callbacks and surveys: RETENTION_DAYS after they were made;
- cases and their updates: CASE_RETENTION_DAYS after the case's last update, or
  CASE_CLOSED_RETENTION_DAYS once its status is one of CASE_CLOSED_STATUSES;
- the audit log: kept whole for AUDIT_RETENTION_DAYS, then deleted (it is evidence of
  who saw what, so it is never altered);
- Victim Voice Forum consents: deleted FORUM_CONSENT_DAYS after they were given (a
  withdrawal clears the contact at once, services/forum.py); equality monitoring
  counts: deleted once their month is past RETENTION_DAYS;
- a callback still pending CALLBACK_EXPIRY_DAYS after it was requested is expired first
  (services/callback_expiry.py), and then counts as finished.

Kept on purpose:
- opt-outs (sms_recipients with opted_out or invalid set): a STOP must outlive
  retention, or after anonymising the old texts we would text someone who asked us
  not to.  Rows that record neither hold a number for no reason and are deleted.
- queue events, callback attempts and Twilio SIDs: no personal data in them.
- anything still in progress (a text still owed, a callback still open, a case an
  open callback is for): the workers need the number to finish the job.

The job is idempotent (a second run finds nothing to do), works in batches by id so
a backlog of millions never loads at once or holds a long lock, and logs only counts.

    flask --app wsgi retention run [--dry-run]     (also a daily periodic job, workers/retention.py)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, delete, exists, false, func, literal, not_, or_, select, update
from sqlmodel import Session

from desk import clock, settings
from flows.sms_schedule import LONDON
from models.batches import id_batches
from models.callbacks import CallbackRequest, CallbackStatus
from models.calls import Call
from models.cases import Case, CaseUpdate
from models.db import current_engine
from models.forum import EqualityResponse, ForumConsent
from models.inbox import InboxMessage
from models.outbox import CLAIMABLE, MessageStatus, OutboundMessage, SmsRecipient
from models.staff import AuditLog, CallbackNote
from models.surveys import Engagement, InboundMessage, Survey
from services import callback_expiry

log = logging.getLogger(__name__)

ANONYMISED = "anonymised"
# engagements and cases are unique on a personal field: each row gets "anon:<id>"
ANON_PREFIX = "anon:"


@dataclass(frozen=True)
class Rule:
    """One table: when a row is due, when it still holds personal data, what replaces it."""
    name: str
    model: type
    due: object                                   # SQL condition: past its period
    personal: object                              # SQL condition: not yet anonymised
    values: dict                                  # the UPDATE's SET clause
    only: list = field(default_factory=list)      # further conditions (e.g. finished rows only)


@dataclass(frozen=True)
class Cutoffs:
    """The moment before which each kind of row is past its period."""
    records: datetime
    cases: datetime
    closed_cases: datetime
    audit: datetime
    callbacks_pending: datetime

    @classmethod
    def now(cls) -> Cutoffs:
        now, config = clock.now(), settings.current()

        def ago(name: str) -> datetime:
            return now - timedelta(days=config[name])

        return cls(ago("RETENTION_DAYS"), ago("CASE_RETENTION_DAYS"), ago("CASE_CLOSED_RETENTION_DAYS"),
                   ago("AUDIT_RETENTION_DAYS"), ago("CALLBACK_EXPIRY_DAYS"))


def callback_is_open(cut: Cutoffs):
    """An open callback that this run does not expire (the same in a dry run, which
    expires nothing but must count as if it had)."""
    return or_(CallbackRequest.status == CallbackStatus.IN_PROGRESS,
               and_(CallbackRequest.status == CallbackStatus.PENDING,
                    CallbackRequest.requested_at >= cut.callbacks_pending))


def case_is_due(cut: Cutoffs):
    closed = settings.current()["CASE_CLOSED_STATUSES"]
    past = or_(Case.updated_at < cut.cases,
               and_(func.lower(Case.status).in_(closed), Case.updated_at < cut.closed_cases) if closed else false())
    # the agent placing a callback for the case needs its safe call times and number
    waiting = exists().where(CallbackRequest.verified_case_id == Case.id, callback_is_open(cut))
    return and_(past, not_(waiting))


def rules(cut: Cutoffs) -> list[Rule]:
    owed = [s.value for s in CLAIMABLE] + [MessageStatus.SENDING.value]
    records = cut.records
    finished_callback = not_(callback_is_open(cut))  # including those this run expires
    anonymised_case = Case.reference_digits.startswith(ANON_PREFIX)
    return [
        Rule("calls", Call, Call.started_at < records,
             or_(Call.caller.is_not(None), Call.called.is_not(None), Call.verified_case_id.is_not(None),
                 cast(Call.state, String) != "{}"),
             {"caller": None, "called": None, "verified_case_id": None, "state": {}}),
        Rule("callback_requests", CallbackRequest, CallbackRequest.requested_at < records,
             or_(CallbackRequest.phone != ANONYMISED, CallbackRequest.verified_case_id.is_not(None),
                 CallbackRequest.window_start.is_not(None), CallbackRequest.window_end.is_not(None)),
             {"phone": ANONYMISED, "verified_case_id": None, "window_start": None, "window_end": None},
             only=[finished_callback]),
        # an agent's note on a callback describes the victim's situation; the outcome stays
        Rule("callback_notes", CallbackNote, CallbackNote.at < records, CallbackNote.note != "", {"note": ""}),
        Rule("outbound_messages", OutboundMessage, OutboundMessage.created_at < records,
             or_(OutboundMessage.to_number != ANONYMISED, OutboundMessage.body != "",
                 OutboundMessage.to_email.is_not(None)),
             {"to_number": ANONYMISED, "body": "", "to_email": None},
             only=[OutboundMessage.status.not_in(owed)]),
        Rule("inbound_messages", InboundMessage, InboundMessage.received_at < records,
             or_(InboundMessage.from_pseudonym != ANONYMISED, InboundMessage.reply.is_not(None)),
             {"from_pseudonym": ANONYMISED, "reply": None}),
        # the desk inbox: what the victim wrote, their number and the cases it named;
        # whether it was urgent, why it was filed and what the desk did with it stay
        Rule("inbox_messages", InboxMessage, InboxMessage.received_at < records,
             or_(InboxMessage.phone != ANONYMISED, InboxMessage.body != "",
                 cast(InboxMessage.case_ids, String) != "[]"),
             {"phone": ANONYMISED, "body": "", "case_ids": []}),
        Rule("engagements", Engagement, Engagement.created_at < records,
             or_(not_(Engagement.victim_phone.startswith(ANON_PREFIX)),
                 Engagement.crime_reference.is_not(None), Engagement.victim_email.is_not(None)),
             {"victim_phone": literal(ANON_PREFIX) + cast(Engagement.id, String), "crime_reference": None,
              "victim_email": None}),
        Rule("surveys", Survey, Survey.created_at < records,
             or_(Survey.phone != ANONYMISED, Survey.comment.is_not(None)),
             {"phone": ANONYMISED, "comment": None}),
        # updates go with their case (before it, so a dry run counts them too); the
        # status each one set stays for the counts
        Rule("case_updates", CaseUpdate,
             CaseUpdate.case_id.in_(select(Case.id).where(or_(anonymised_case, case_is_due(cut)))),
             CaseUpdate.message != "", {"message": ""}),
        # the row stays (borough, status, dates, contact choices) for the counts; the
        # reference's key is unique, and "anon:<id>" can be neither typed nor texted
        Rule("cases", Case, case_is_due(cut),
             or_(not_(anonymised_case), Case.victim_phone != ANONYMISED, Case.crime_reference != ANONYMISED,
                 Case.victim_name.is_not(None), Case.officer_name.is_not(None),
                 cast(Case.safe_call_times, String) != "[]"),
             {"victim_phone": ANONYMISED, "crime_reference": ANONYMISED, "victim_name": None, "officer_name": None,
              "reference_digits": literal(ANON_PREFIX) + cast(Case.id, String),
              "reference_key": literal(ANON_PREFIX) + cast(Case.id, String), "safe_call_times": []}),
    ]


def cutoff() -> datetime:
    """Calls, texts, callbacks and surveys made before this are past RETENTION_DAYS."""
    return Cutoffs.now().records


def anonymise_old_records(dry_run: bool = False) -> dict[str, int]:
    """The RQ job: expire callbacks that can no longer be placed, anonymise what is
    past retention, delete what is past the audit log's period.  Returns rows changed
    per table (with ``dry_run``, the rows that would be)."""
    cut, size = Cutoffs.now(), settings.current()["RETENTION_BATCH_SIZE"]
    counts: dict[str, int] = {}
    with Session(current_engine()) as db:
        counts["callbacks_expired"] = callback_expiry.expire_pending(db, cut.callbacks_pending, size, dry_run)
        for rule in rules(cut):
            counts[rule.name] = _anonymise(db, rule, size, dry_run)
        counts["sms_recipients_forgotten"] = _delete(db, SmsRecipient, [
            SmsRecipient.changed_at < cut.records, SmsRecipient.opted_out.is_(False),
            SmsRecipient.invalid.is_(False)], size, dry_run)
        # the Victim Voice Forum: a consent lasts FORUM_CONSENT_DAYS (withdrawn ones hold no
        # contact already); equality counts go with the month they count, after RETENTION_DAYS
        forum_cut = clock.now() - timedelta(days=settings.current()["FORUM_CONSENT_DAYS"])
        counts["forum_consents_deleted"] = _delete(db, ForumConsent, [ForumConsent.consented_at < forum_cut],
                                                   size, dry_run)
        counts["equality_counts_deleted"] = _delete(db, EqualityResponse, [
            EqualityResponse.month < f"{cut.records.astimezone(LONDON):%Y-%m}"], size, dry_run)
        # bulk deletes bypass the ORM's append-only guard on purpose: only this job
        # removes audit entries, and only whole ones past their period
        counts["audit_log_deleted"] = _delete(db, AuditLog, [AuditLog.at < cut.audit], size, dry_run)
    log.info("retention%s: %s", " (dry run)" if dry_run else "",
             ", ".join(f"{name} {n}" for name, n in counts.items()))
    return counts


def _anonymise(db: Session, rule: Rule, size: int, dry_run: bool) -> int:
    model, done = rule.model, 0
    for ids in id_batches(db, model, [rule.due, rule.personal, *rule.only], size):
        if not dry_run:
            db.execute(update(model).where(model.id.in_(ids)).values(**rule.values)
                       .execution_options(synchronize_session=False))
            db.commit()
        done += len(ids)
    return done


def _delete(db: Session, model: type, where: list, size: int, dry_run: bool) -> int:
    """Delete MODEL's rows matching WHERE, a batch at a time."""
    done = 0
    for ids in id_batches(db, model, where, size):
        if not dry_run:
            db.execute(delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
            db.commit()
        done += len(ids)
    return done
