"""The survey's side effects: inviting, finding the survey a reply is for, and storing
what the conversation decided (flows/sms_conversation.py decides; this stores)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from desk import clock, settings
from desk.phone import desk_number
from desk.redact import pseudonym
from flows import journey
from flows import sms_conversation as conv
from flows.rating_parser import read_rating
from flows.sms_schedule import LONDON, next_send_time
from flows.sms_texts import contact_date, render
from models.cases import Case, reference_digits
from models.outbox import CLAIMABLE, MessageStatus, OutboundMessage, SmsRecipient, is_email_opted_out
from models.surveys import INVITE_PURPOSES, Engagement, Survey
from reports import rating_periods
from services import forum, text_language
from services import survey_links as links
from services.hours import weekly_hours
from services.outbox import queue_email, queue_sms

log = logging.getLogger(__name__)

SUPPRESSION_REASONS = {
    "opted_out": "the number has opted out of texts from the desk",
    "invalid_number": "the number cannot receive texts",
    "sms_unsafe": "a case says texting this number is not safe",
    "not_a_mobile": "the number is a landline, which cannot receive texts",
    "email_opted_out": "the email address has unsubscribed from the desk's emails",
    "survey_open": "this victim (same number or email) has a survey still open; one conversation at a time",
    "asked_recently": "this victim (same number or email) was asked for a rating within SURVEY_NO_REPEAT_DAYS",
}

# Reasons a number cannot take a text that say nothing about the victim's safety: only
# these let the invitation go by email instead (and only where email is marked safe).
CANNOT_TEXT = {"not_a_mobile", "opted_out", "invalid_number"}
# The invitation as the case system and supervisors see it, from its outbox row.
MESSAGE_TO_INVITATION = {
    MessageStatus.PENDING.value: "scheduled", MessageStatus.RETRY.value: "scheduled",
    MessageStatus.SENDING.value: "scheduled", MessageStatus.SENT.value: "sent",
    MessageStatus.DELIVERED.value: "delivered", MessageStatus.UNDELIVERED.value: "undelivered",
    MessageStatus.FAILED.value: "failed", MessageStatus.SUPPRESSED.value: "suppressed",
    MessageStatus.OPTED_OUT.value: "opted_out", MessageStatus.INVALID_NUMBER.value: "invalid_number",
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


def email_available(config) -> bool:
    """Email can be sent: a mail server is set, or outside production (.eml files)."""
    return bool(config["SMTP_HOST"]) or config["DESK_ENV"] != "production"


def _email_problem(db: Session, engagement: Engagement) -> str | None:
    if not engagement.victim_email:
        return "no_email"
    if not email_available(settings.current()):
        return "email_not_configured"
    if is_email_opted_out(db, engagement.victim_email):
        return "email_opted_out"
    return None


def choose_channel(db: Session, engagement: Engagement) -> tuple[str | None, str | None]:
    """(channel, None) for the invitation, or (None, why it is not sent).

    Email when the victim prefers it, or when the number cannot take a text for a
    reason that says nothing about safety (a landline, opted out, invalid) and the
    engagement (email_safe) or a case for the victim (email_allowed) marks email safe.  A case that says texting is unsafe never sends the
    invitation to email instead: whoever holds the phone may read the mail too."""
    email_problem = _email_problem(db, engagement)
    if engagement.channel_preference == "email" and email_problem != "email_not_configured":
        return ("email", None) if email_problem is None else (None, email_problem)
    sms_problem = suppression(db, engagement.victim_phone, engagement.crime_reference)
    if sms_problem is None:
        return "sms", None
    if sms_problem in CANNOT_TEXT and email_problem is None and (
            engagement.email_safe or _case_allows_email(db, engagement)):
        return "email", None
    return None, sms_problem


def _case_allows_email(db: Session, engagement: Engagement) -> bool:
    """A case for this victim (the number, or the crime reference) says email is safe."""
    digits = reference_digits(engagement.crime_reference or "")
    matches = [Case.victim_phone == engagement.victim_phone] + ([Case.reference_digits == digits] if digits else [])
    return db.exec(select(Case.id).where(or_(*matches), Case.email_allowed.is_(True))).first() is not None


def asked_recently(db: Session, engagement: Engagement, now: datetime) -> str | None:
    """Why this victim (the same number, or the same email) must not be asked again now:
    a survey still open, or one asked or answered within SURVEY_NO_REPEAT_DAYS,
    whatever its stage or channel; else None."""
    # one indexed look-up per identity (an OR across the two tables would read them all)
    theirs = [select(Survey).where(Survey.phone == engagement.victim_phone)]
    if engagement.victim_email:  # stored lower-case
        theirs.append(select(Survey).join(Engagement, Survey.engagement_id == Engagement.id)
                      .where(Engagement.victim_email == engagement.victim_email))
    since = now - timedelta(days=settings.current()["SURVEY_NO_REPEAT_DAYS"])
    still_open = [Survey.invitation == "scheduled", Survey.status.in_(conv.OPEN),
                  or_(Survey.expires_at.is_(None), Survey.expires_at > now)]
    recent = [or_(and_(Survey.invitation == "scheduled", Survey.invited_at > since), Survey.rated_at > since)]
    for reason, conditions in (("survey_open", still_open), ("asked_recently", recent)):
        for query in theirs:
            found = db.exec(query.where(Survey.engagement_id != engagement.id, *conditions).limit(1)).first()
            if found is not None:
                return reason
    return None


def invite(db: Session, engagement: Engagement) -> Survey:
    """Create the survey for ENGAGEMENT and schedule its invitation, by text or email
    (unless this victim was asked recently, or neither channel may be used)."""
    now = clock.now()
    send_at = next_send_time(now + timedelta(minutes=settings.current()["SURVEY_DELAY_MINUTES"]), settings.current()["SMS_QUIET_HOURS"])
    survey = Survey(engagement_id=engagement.id, phone=engagement.victim_phone,
                    invited_at=send_at, expires_at=send_at + timedelta(days=settings.current()["SURVEY_EXPIRY_DAYS"]),
                    created_at=now, updated_at=now)
    # a reason that lasts (opted out, unsafe) is the one the case system is told first
    channel, reason = choose_channel(db, engagement)
    if channel is None:
        survey.invitation, survey.suppressed_reason = "suppressed", reason
    elif skipped := asked_recently(db, engagement, now):
        survey.invitation, survey.suppressed_reason, channel = "skipped", skipped, None
    survey.channel = channel
    db.add(survey)
    db.flush()
    # a survey about a day already over may change counts kept for that day
    rating_periods.reopen_contact_day(db, engagement.occurred_at, now)
    if channel == "sms":
        # the case system's language when it said Polish, else the victim's (their case's, their last call's)
        language = ("pl" if engagement.language == "pl"
                    else text_language.for_phone(db, engagement.victim_phone))
        link = links.survey_url(survey.id, survey.expires_at)
        date = contact_date(engagement.occurred_at, language)
        body = journey.sms_invite(engagement.stage, language, engagement.officer_name, date, link) or render(
            "survey_invite", language=language, officer=engagement.officer_name, date=date, link=link)
        message = queue_sms(db, to=engagement.victim_phone, body=body, purpose=INVITE_PURPOSES["sms"],
                            key=str(survey.id), not_before=send_at)
        if message.status == "suppressed":  # the outbox knows something we didn't
            survey.invitation, survey.suppressed_reason = "suppressed", "sms_unsafe"
            db.add(survey)
    elif channel == "email":
        subject, body = journey.email(
            engagement.stage, engagement.language, link=links.survey_url(survey.id, survey.expires_at),
            expires=f"{survey.expires_at.astimezone(LONDON):%-d %B %Y}",
            unsubscribe=links.unsubscribe_url(engagement.victim_email, engagement.language))
        queue_email(db, to=engagement.victim_email, subject=subject, body=body,
                    purpose=INVITE_PURPOSES["email"], key=str(survey.id), not_before=send_at)
    log.info("survey %s for %s: invitation %s", survey.id, pseudonym(engagement.victim_phone),
             f"{survey.invitation} by {channel}" if channel else f"{survey.invitation} ({survey.suppressed_reason})")
    return survey


def invitation_message(db: Session, survey: Survey) -> OutboundMessage | None:
    if survey.channel not in INVITE_PURPOSES:
        return None
    return db.exec(select(OutboundMessage).where(OutboundMessage.purpose == INVITE_PURPOSES[survey.channel],
                                                 OutboundMessage.dedupe_key == str(survey.id))).first()


def invitation_status(survey: Survey, message_status: str | None) -> str:
    """What happened to the invitation: scheduled, sent, delivered, undelivered, failed,
    opted_out, invalid_number, suppressed (by its message), or suppressed / skipped
    (never sent)."""
    if survey.invitation != "scheduled" or message_status is None:
        return survey.invitation
    return MESSAGE_TO_INVITATION.get(message_status, "scheduled")


def _withdraw_invitation(db: Session, survey: Survey) -> None:
    """A rating came on the web (the QR code or link) before the invitation went out:
    the invitation is not sent (a conditional UPDATE, so a worker's claim wins or this does)."""
    db.execute(update(OutboundMessage).where(
        OutboundMessage.purpose.in_(list(INVITE_PURPOSES.values())), OutboundMessage.dedupe_key == str(survey.id),
        OutboundMessage.status.in_([s.value for s in CLAIMABLE]))
        .values(status=MessageStatus.SUPPRESSED.value, note="already rated on the web", updated_at=clock.now()))


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
                             Survey.channel.is_distinct_from("email"),  # an emailed survey is answered on the web
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
                            has_comment=survey.comment is not None, expires_at=survey.expires_at,
                            forum_asked=survey.forum_asked_at is not None, forum_answered=survey.forum_answered)


def may_ask_forum(db: Session, survey: Survey) -> bool:
    """May the text survey ask SURVEY's victim about the forum?  Once per victim (the
    number: by text or on the web), never where a case says texting the number is unsafe
    (nor to a number that cannot take our texts), and not on an already-asked survey."""
    if survey.forum_asked_at is not None or survey.forum_answered:
        return False
    engagement = db.get(Engagement, survey.engagement_id)
    if suppression(db, survey.phone, engagement.crime_reference if engagement else None) is not None:
        return False
    return not forum.asked_before(db, survey.phone)


def apply(db: Session, survey: Survey, step: conv.Step, now: datetime, via: str) -> None:
    """Store the new state and what the victim told us."""
    for event in step.events:
        if isinstance(event, conv.RatingRecorded):
            survey.rating, survey.rated_at, survey.rated_via = event.rating, now, via
            if via == "web":
                _withdraw_invitation(db, survey)
        elif isinstance(event, conv.CommentRecorded):
            survey.comment, survey.comment_at = event.comment, now
        elif isinstance(event, conv.ForumAsked):
            survey.forum_asked_at = now
        elif isinstance(event, conv.ForumAnswered):
            # by text, so the organisers would contact the number the answer came from
            forum.answer_forum(db, survey, event.wants, now, channel="sms")
    survey.status, survey.reprompted = step.state.status, step.state.reprompted
    survey.updated_at = now
    db.add(survey)
    kinds = ",".join(type(e).__name__ for e in step.events if not isinstance(e, conv.Reply))
    log.info("survey %s via %s: %s -> %s", survey.id, via, kinds or "no change", survey.status)


def reply_text(step: conv.Step, about: Engagement | None = None, language: str = "en") -> str | None:
    """The reply's words in LANGUAGE; ABOUT (when the number has several surveys open)
    names the contact a rating was recorded for, so the victim sees where it went."""
    reply = step.reply()
    if reply is None:
        return None
    if about is not None and reply.text_id in NAMED:
        return render(NAMED[reply.text_id], weekly=weekly_hours(), language=language, desk_number=desk_number(),
                      officer=about.officer_name, date=contact_date(about.occurred_at, language), **reply.params)
    return render(reply.text_id, weekly=weekly_hours(), language=language, desk_number=desk_number(),
                  **reply.params)


# a rating's reply that names the contact, for a number with several surveys open
NAMED = {"survey_comment_prompt": "survey_comment_prompt_for", "survey_thanks_rated": "survey_thanks_rated_for"}
