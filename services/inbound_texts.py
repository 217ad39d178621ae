"""What an inbound text does: a keyword first, else an opt-out in the texter's own
words, else the survey it answers, else the desk inbox (services/inbox.py).

``receive`` handles a text once by its MessageSid and records it; the webhook
(sms/routes.py) and the replay of spooled texts (services/inbound_spool.py) both go
through it, so a text is handled the same way whenever it arrives.

Everything here writes through the caller's session, so the whole of one message —
the record that we handled it, an opt-out, a rating, a call-back request — commits
together or not at all.

The phone may be held by the person who harmed the victim, so no reply may tell
whether the number has a case: UPDATE and CALL answer one neutral text whenever there
is nothing to give, and a number whose case says texting is unsafe gets no reply at
all (what it asked is still done and recorded, and its words still reach the inbox).

Nothing a victim writes is lost: free text, a text after a survey finished, the second
unclear rating reply and a message that mentions stopping are filed in the desk inbox.
The sender gets one acknowledgement per conversation; words of danger or distress
(the phone line's own list, flows/speech.py DISTRESS) file the message urgent and
answer with 999 and the 24-hour helplines at once.  An exact HELP is Twilio's keyword:
the help text (which gives 999 and the helplines too), not an urgent message.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, insert, or_
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from desk.phone import desk_number
from desk.redact import pseudonym
from flows import keywords, speech
from flows import sms_conversation as conv
from flows.rating_parser import parse_rating, read_rating
from flows.sms_texts import callback_when, render
from models.cases import Case, CaseUpdate
from models.db import core
from models.outbox import is_opted_out, record_opt_in, record_opt_out
from models.surveys import Engagement, InboundMessage
from services import callbacks, forum, inbox, routing, surveys, text_language
from services.case_updates import case_update_text
from services.hours import weekly_hours

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    action: str
    reply: str | None = None       # the text to answer with; None: answer nothing
    survey_id: int | None = None


@dataclass
class Received:
    reply: str | None              # what to answer (the earlier answer to a repeat)
    outcome: Outcome | None = None  # None: this message was handled before


# Core statements, built once: every inbound text runs both (models/call_rows.py says why)
INBOUND = InboundMessage.__table__
_BY_SID = core_select(INBOUND.c.reply).where(INBOUND.c.message_sid == bindparam("sid"))
_BY_SID_OR_TOKEN = core_select(INBOUND.c.reply).where(or_(INBOUND.c.message_sid == bindparam("sid"),
                                                     INBOUND.c.idempotency_token == bindparam("token")))


def seen(db: Session, sid: str, token: str | None):
    """The earlier answer's row (``.reply``) to this message, or None if it is new."""
    if token:
        return core(db).execute(_BY_SID_OR_TOKEN, {"sid": sid, "token": token}).first()
    return core(db).execute(_BY_SID, {"sid": sid}).first()


def receive(db: Session, sid: str, phone: str | None, body: str, now: datetime, *, token: str | None = None,
            received_at: datetime | None = None, also: Callable[[Outcome], None] | None = None) -> Received:
    """Handle the text once (by MessageSid or idempotency token), record it and commit.

    ALSO, if given, runs with the outcome inside the same transaction (the replay queues
    its reply there), so it happens exactly when the handling is committed."""
    if (done := seen(db, sid, token)) is not None:
        return Received(done.reply)
    try:
        outcome = handle(db, phone, body, sid, now, received_at=received_at)
        if also is not None:
            also(outcome)
        # The message's row goes in with what it did: a concurrent duplicate's commit then
        # fails on the unique MessageSid, undoing its own handling, and answers as this one
        core(db).execute(insert(INBOUND), {
            "message_sid": sid, "idempotency_token": token, "from_pseudonym": pseudonym(phone),
            "received_at": received_at or now, "action": outcome.action, "reply": outcome.reply,
            "survey_id": outcome.survey_id})
        db.commit()
    except IntegrityError:
        db.rollback()
        db.info.pop("after_commit_jobs", None)
        done = seen(db, sid, token)
        return Received(done.reply if done else None)
    run_after_commit_jobs(db)
    return Received(outcome.reply, outcome)


# The language of this reply: the victim's (the case's, else their last call's), set
# once per inbound text by handle() so every reply below is written in it.
_REPLY_LANGUAGE: ContextVar[str] = ContextVar("reply_language", default="en")


def text(text_id: str, **params) -> str:
    return render(text_id, weekly=weekly_hours(), language=_REPLY_LANGUAGE.get(),
                  desk_number=desk_number(), **params)


# What UPDATE and CALL answer when there is nothing to give, whatever the reason
NEUTRAL = {keywords.UPDATE: "update_unavailable", keywords.CALLBACK: "callback_unavailable"}


def handle(db: Session, phone: str | None, body: str, message_sid: str, now: datetime, *,
           received_at: datetime | None = None) -> Outcome:
    action = keywords.keyword(body)
    if phone is None:  # a short code or a withheld sender: nothing to look up
        return Outcome("help", text(NEUTRAL.get(action, "help")))
    cases = registered_cases(db, phone)
    language = _REPLY_LANGUAGE.set(text_language.for_phone(db, phone))
    try:
        return _handle_registered(db, phone, cases, body, message_sid, now, received_at, action)
    finally:
        _REPLY_LANGUAGE.reset(language)


def _handle_registered(db: Session, phone: str, cases: list[Case], body: str, message_sid: str,
                       now: datetime, received_at: datetime | None, action: str | None) -> Outcome:
    # any reply (even HELP) would show whoever holds the phone that we know the number
    silent = any(not case.sms_allowed for case in cases)
    outcome = _answer(Texted(db, phone, cases, body, message_sid, now, silent, received_at or now), action)
    return replace(outcome, reply=None) if silent else outcome


@dataclass(frozen=True)
class Texted:
    """One inbound text and what we know of its sender."""
    db: Session
    phone: str
    cases: list[Case]
    body: str
    sid: str
    now: datetime
    silent: bool  # a case says texting this number is unsafe: no reply at all
    received_at: datetime  # when Twilio had it (a spooled text is handled later)


def _answer(msg: Texted, action: str | None) -> Outcome:
    db, phone, now = msg.db, msg.phone, msg.now
    if action == keywords.OPT_IN and keywords.keyword_word(msg.body) == "YES" and not is_opted_out(db, phone):
        action = None  # "yes" (to "tell us why?") is an answer, not Twilio's opt-in word
    if action == keywords.OPT_OUT:
        record_opt_out(db, phone, source="sms-keyword")
        # Twilio confirms the opt-out itself and would block any reply of ours
        return Outcome("opt_out", None)
    if action == keywords.OPT_IN:
        record_opt_in(db, phone, source="sms-keyword")
        return Outcome("opt_in", text("opted_in"))
    if action == keywords.HELP:
        return Outcome("help", text("help"))  # Twilio's keyword: the help text, never filed urgent
    if action == keywords.CALLBACK:
        return request_callback(db, phone, msg.cases, msg.sid, now)
    if action == keywords.UPDATE:
        return latest_update(db, msg.cases)
    if keywords.is_forum_stop(msg.body):
        # before the opt-out in own words that "forum stop" would otherwise be: only the
        # forum consent goes; the same answer whether or not there was one
        forum.withdraw_by_phone(db, phone)
        return Outcome("forum_stop", text("forum_withdrawn"))
    intent = keywords.opt_out_intent(msg.body)
    if intent == keywords.OPT_OUT:
        # recorded as Twilio's STOP is; Twilio does not know these words, so we confirm
        record_opt_out(db, phone, source="sms-words")
        return Outcome("opt_out:words", text("opted_out"))
    urgent = distressed(msg.body)
    survey = surveys.survey_for_reply(db, phone, now, msg.body)
    if survey is not None and survey.status == conv.AWAITING_RATING and a_message(msg.body):
        # a long message while we wait for a rating is a message for a person, not a
        # failed rating: it is filed (and acknowledged), and the survey still waits
        return _filed(msg, "free_text", urgent, survey.id)
    if survey is not None and intent != keywords.STOP_MENTIONED:
        # the forum question: once per victim, never where texting is unsafe, and not in
        # answer to words of danger (the reply is then 999 and the helplines)
        askable = survey.status in conv.OPEN and not (msg.silent or urgent) and surveys.may_ask_forum(db, survey)
        state = replace(surveys.state_of(survey), forum_askable=askable)
        step = conv.resume(state, msg.body, now)
        kinds = [type(e).__name__ for e in step.events if not isinstance(e, conv.Reply)]
        consumed = bool({"RatingRecorded", "CommentRecorded", "SecondRatingRefused", "ForumAnswered"} & set(kinds))
        about = db.get(Engagement, survey.engagement_id) if surveys.others_open(db, survey, now) else None
        if consumed or not urgent:
            surveys.apply(db, survey, step, now, via="sms")
        # the survey's replies in the language it was asked in (as its invitation was)
        language = "pl" if db.get(Engagement, survey.engagement_id).language == "pl" else _REPLY_LANGUAGE.get()
        outcome = Outcome(f"survey:{kinds[0] if kinds else 'reply'}", surveys.reply_text(step, about, language),
                          survey.id)
        if urgent:  # words of danger: the desk sees them now, whatever the survey made of them
            reason = ("survey_comment" if consumed else
                      "survey_unclear" if survey.status == conv.AWAITING_RATING else "after_survey")
            return _filed(msg, reason, urgent, survey.id)
        if "GaveUp" in kinds:  # the second unclear reply: a person reads it
            _file(msg, "survey_unclear", False, survey.id, acknowledged=not msg.silent)
            return outcome
        if "Expired" in kinds and parse_rating(msg.body) is None:
            # too late for the survey, but what they wrote still reaches a person
            _file(msg, "after_survey", False, survey.id, acknowledged=False)
            return outcome
        if not (survey.status == conv.COMPLETED and not consumed and step.reply()
                and step.reply().text_id == "help"):
            return outcome
        # a text after the survey was finished is not the survey's: it is the desk's
    if intent == keywords.STOP_MENTIONED:
        outcome = _filed(msg, "stop_mentioned", urgent, survey.id if survey else None)
        return outcome if urgent else replace(outcome, reply=text("stop_hint"))
    if not urgent and courtesy(msg.body):
        return Outcome("courtesy", None)  # "ok", "thanks", 👍: nothing to answer or file
    return _filed(msg, "after_survey" if survey is not None else "free_text", urgent,
                  survey.id if survey else None)


def _filed(msg: Texted, reason: str, urgent: bool, survey_id: int | None) -> Outcome:
    """File the text in the desk inbox and say so: words of danger get 999 and the
    helplines at once; otherwise one acknowledgement per conversation."""
    if urgent:
        _file(msg, reason, True, survey_id, acknowledged=not msg.silent)
        return Outcome(f"inbox:{reason}:urgent", text("inbox_urgent"), survey_id)
    acknowledge = not msg.silent and not inbox.conversation_acknowledged(msg.db, msg.phone)
    _file(msg, reason, False, survey_id, acknowledged=acknowledge)
    return Outcome(f"inbox:{reason}", text("inbox_ack") if acknowledge else None, survey_id)


def _file(msg: Texted, reason: str, urgent: bool, survey_id: int | None, *, acknowledged: bool) -> None:
    inbox.file(msg.db, sid=msg.sid, phone=msg.phone, body=msg.body, now=msg.received_at, reason=reason, urgent=urgent,
               cases=msg.cases, survey_id=survey_id, acknowledged=acknowledged)


# "thanks for your help" is gratitude, not a cry for help
_THANKS_FOR_HELP = re.compile(r"\bfor (?:your|the|all your|all the|all of your|all of the|ur) help\b", re.I)
# more words than this, and no rating in them: a message, not an attempt at a rating
MESSAGE_WORDS = 8


def distressed(body: str) -> bool:
    """Words of danger or distress, by the phone line's own list (flows/speech.py)."""
    return speech.distressed(_THANKS_FOR_HELP.sub(" ", body or ""))


def a_message(body: str) -> bool:
    return len((body or "").split()) > MESSAGE_WORDS and read_rating(body) is None \
        and keywords.opt_out_intent(body) is None


def courtesy(body: str) -> bool:
    """"ok", "thanks", "👍": a courtesy, not a question (flows/keywords.py)."""
    return keywords.is_courtesy(body)


def registered_cases(db: Session, phone: str) -> list[Case]:
    """Cases on which PHONE is the victim's registered number (never a guess by name)."""
    cases = db.exec(select(Case).where(Case.victim_phone == phone).order_by(Case.id)).all()
    return [case for case in cases if case.is_registered_phone(phone)]


def latest_update(db: Session, cases: list[Case]) -> Outcome:
    """The latest update on CASES (the sender's registered cases), or the neutral text."""
    if not cases:
        return Outcome("update:unregistered", text(NEUTRAL[keywords.UPDATE]))
    if any(not case.sms_allowed for case in cases):
        return Outcome("update:sms_unsafe", None)  # handle() answers such a number nothing anyway
    by_id = {case.id: case for case in cases}
    update = db.exec(select(CaseUpdate).where(CaseUpdate.case_id.in_(list(by_id)))
                     .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())).first()
    if update is None:
        return Outcome("update:none", text(NEUTRAL[keywords.UPDATE]))
    return Outcome("update:sent", case_update_text(by_id[update.case_id], update))


def request_callback(db: Session, phone: str, cases: list[Case], message_sid: str, now: datetime) -> Outcome:
    """CALL: a call-back, only to a number registered on cases with safe call times
    (services/callbacks.py book_for_number says which)."""
    booking = callbacks.book_for_number(db, phone, now, source=message_sid)
    if booking.outcome == "unavailable":
        return Outcome("callback:unavailable", text(NEUTRAL[keywords.CALLBACK]))
    if booking.outcome == "requested":
        db.info.setdefault("after_commit_jobs", []).append(routing.schedule_callbacks)
    action, booked = (("callback:requested", "callback_booked") if booking.outcome == "requested"
                      else ("callback:already", "callback_already"))
    if booking.start <= now:
        return Outcome(action, text(f"{booked}_now"))
    return Outcome(action, text(f"{booked}_later", when=callback_when(booking.start, now)))


def run_after_commit_jobs(db: Session) -> None:
    """Nudge the workers about what this message committed (they also sweep)."""
    for job in db.info.pop("after_commit_jobs", []):
        try:
            job()
        except Exception:  # noqa: BLE001 - the row is committed; the workers' own sweep finds it
            log.exception("%s failed after an inbound text", job.__qualname__)
