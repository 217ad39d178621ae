"""The survey's side effects: inviting, finding the survey a reply is for, and storing
what the conversation decided (flows/sms_conversation.py decides; this stores)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import or_
from sqlmodel import Session, select

from desk import clock, settings
from desk.phone import desk_number
from desk.redact import pseudonym
from flows import sms_conversation as conv
from flows.rating_parser import read_rating
from flows.sms_schedule import next_send_time
from flows.sms_texts import contact_date, render
from models.cases import Case, reference_digits
from models.outbox import SmsRecipient
from models.surveys import Engagement, Survey
from reports import rating_periods
from services import text_language
from services.hours import weekly_hours
from services.outbox import queue_sms
from services.survey_links import survey_url

log = logging.getLogger(__name__)

SUPPRESSION_REASONS = {
    "opted_out": "the number has opted out of texts from the desk",
    "invalid_number": "the number cannot receive texts",
    "sms_unsafe": "a case says texting this number is not safe",
    "not_a_mobile": "the number is a landline, which cannot receive texts",
}


def suppression(db: Session, phone: str, crime_reference: str | None) -> str | None:
    """Why no invitation may be texted to PHONE about this contact, or None."""
    if _is_landline(phone):
        return "not_a_mobile"
    recipient = db.exec(select(SmsRecipient).where(SmsRecipient.phone == phone)).first()
    if recipient and recipient.opted_out:
        return "opted_out"
    if recipient and recipient.invalid:
        return "invalid_number"
    # the case for this crime reference may carry a different (or older) number
    digits = reference_digits(crime_reference or "")
    matches = [Case.victim_phone == phone] + ([Case.reference_digits == digits] if digits else [])
    unsafe = db.exec(select(Case.id).where(or_(*matches), Case.sms_allowed.is_(False))).first()
    return "sms_unsafe" if unsafe is not None else None


def _is_landline(phone: str) -> bool:
    kind = phonenumbers.number_type(phonenumbers.parse(phone))
    return kind == phonenumbers.PhoneNumberType.FIXED_LINE


def invite(db: Session, engagement: Engagement) -> Survey:
    """Create the survey for ENGAGEMENT and schedule its invitation (unless suppressed)."""
    now = clock.now()
    send_at = next_send_time(now + timedelta(minutes=settings.current()["SURVEY_DELAY_MINUTES"]), settings.current()["SMS_QUIET_HOURS"])
    survey = Survey(engagement_id=engagement.id, phone=engagement.victim_phone,
                    invited_at=send_at, expires_at=send_at + timedelta(days=settings.current()["SURVEY_EXPIRY_DAYS"]),
                    created_at=now, updated_at=now)
    reason = suppression(db, engagement.victim_phone, engagement.crime_reference)
    if reason:
        survey.invitation, survey.suppressed_reason = "suppressed", reason
    db.add(survey)
    db.flush()
    # a survey about a day already over may change counts kept for that day
    rating_periods.reopen_contact_day(db, engagement.occurred_at, now)
    if not reason:
        language = text_language.for_phone(db, engagement.victim_phone)
        body = render("survey_invite", language=language, officer=engagement.officer_name,
                      date=contact_date(engagement.occurred_at, language),
                      link=survey_url(survey.id, survey.expires_at))
        message = queue_sms(db, to=engagement.victim_phone, body=body, purpose="survey_invite",
                            key=str(survey.id), not_before=send_at)
        if message.status == "suppressed":  # the outbox knows something we didn't
            survey.invitation, survey.suppressed_reason = "suppressed", "sms_unsafe"
            db.add(survey)
    log.info("survey %s for %s: invitation %s", survey.id, pseudonym(engagement.victim_phone),
             survey.invitation if not reason else f"suppressed ({reason})")
    return survey


def survey_for_reply(db: Session, phone: str, now: datetime, body: str | None = None) -> Survey | None:
    """The survey a text from PHONE answers: one conversation per number.

    Open surveys are answered in the order their invitations went out, so with two
    invitations in one burst "5" then "1" rate the first contact 5 and the second 1
    (each reply names the officer: see ``reply_text``); neither is refused and the
    earlier survey is not left open.  A rating arriving while the first waits for its
    comment, with another survey still waiting for a rating, is that survey's: the
    first is finished without a comment.  With none open, the newest rated survey
    answers (so a second rating is explained rather than ignored)."""
    candidates = db.exec(
        select(Survey).where(Survey.phone == phone, Survey.invitation == "scheduled",
                             Survey.invited_at <= now, Survey.status.in_(conv.ANSWERABLE))
        .order_by(Survey.invited_at, Survey.id)).all()
    live = [s for s in candidates if s.status in conv.OPEN and not conv.is_expired(state_of(s), now)]
    if live:
        first, waiting = live[0], [s for s in live[1:] if s.status == conv.AWAITING_RATING]
        if first.status == conv.AWAITING_COMMENT and waiting and read_rating(body) is not None:
            first.status, first.updated_at = conv.COMPLETED, now
            db.add(first)
            log.info("survey %s finished without a comment: the next rating is survey %s's", first.id,
                     waiting[0].id)
            return waiting[0]
        return first
    for survey in reversed(candidates):
        if survey.status in conv.OPEN or not conv.is_expired(state_of(survey), now):
            return survey
    return None


def others_open(db: Session, survey: Survey, now: datetime) -> bool:
    """Does the number have another survey open besides SURVEY (its replies then name the officer)?"""
    return db.exec(select(Survey.id).where(
        Survey.phone == survey.phone, Survey.id != survey.id, Survey.invitation == "scheduled",
        Survey.invited_at <= now, Survey.status.in_(conv.OPEN))).first() is not None


def state_of(survey: Survey) -> conv.SurveyState:
    return conv.SurveyState(status=survey.status, reprompted=survey.reprompted, rating=survey.rating,
                            has_comment=survey.comment is not None, expires_at=survey.expires_at)


def apply(db: Session, survey: Survey, step: conv.Step, now: datetime, via: str) -> None:
    """Store the new state and what the victim told us."""
    for event in step.events:
        if isinstance(event, conv.RatingRecorded):
            survey.rating, survey.rated_at, survey.rated_via = event.rating, now, via
        elif isinstance(event, conv.CommentRecorded):
            survey.comment, survey.comment_at = event.comment, now
    survey.status, survey.reprompted = step.state.status, step.state.reprompted
    survey.updated_at = now
    db.add(survey)
    kinds = ",".join(type(e).__name__ for e in step.events if not isinstance(e, conv.Reply))
    log.info("survey %s via %s: %s -> %s", survey.id, via, kinds or "no change", survey.status)


def reply_text(step: conv.Step, about: Engagement | None = None) -> str | None:
    """The reply's words; ABOUT (when the number has several surveys open) names the
    contact a rating was recorded for, so the victim sees where it went."""
    reply = step.reply()
    if reply is None:
        return None
    if about is not None and reply.text_id in NAMED:
        return render(NAMED[reply.text_id], weekly=weekly_hours(), desk_number=desk_number(),
                      officer=about.officer_name, date=contact_date(about.occurred_at), **reply.params)
    return render(reply.text_id, weekly=weekly_hours(), desk_number=desk_number(), **reply.params)


# a rating's reply that names the contact, for a number with several surveys open
NAMED = {"survey_comment_prompt": "survey_comment_prompt_for", "survey_thanks_rated": "survey_thanks_rated_for"}
