"""The Victim Voice Forum: consents to hear about it, their withdrawal, and the
web survey's optional equality monitoring (stored apart from the survey).

A consent is asked only after the rating, and only a yes is stored: it names the
channel to use (the one the victim was asked on: email, else text) and when it was
given.  Withdrawing clears the contact at once; the retention job deletes the row
FORUM_CONSENT_DAYS after it was given (services/retention.py).
"""
from __future__ import annotations

import logging
from datetime import datetime

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from desk import clock, settings
from flows import equality
from flows.sms_schedule import LONDON
from models.forum import EqualityResponse, ForumConsent
from models.surveys import Engagement, Survey

log = logging.getLogger(__name__)

WITHDRAW_SALT = "forum-withdraw"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings.current()["SECRET_KEY"], salt=WITHDRAW_SALT)


def withdraw_url(survey_id: int) -> str:
    """The link that withdraws the consent given with this survey; it never expires."""
    return settings.public_url(f"/forum/withdraw/{_serializer().dumps(survey_id)}")


def read_withdraw(token: str) -> int | None:
    try:
        survey_id = _serializer().loads(token)
    except (BadData, ValueError, TypeError):
        return None
    return survey_id if isinstance(survey_id, int) else None


def answer_forum(db: Session, survey: Survey, wants: bool, now: datetime,
                 channel: str | None = None) -> ForumConsent | None:
    """Record the victim's answer to "would you like to hear about the forum?"; a yes
    is a consent.  Asked once per survey.  CHANNEL: the one the answer came on (a text
    reply: "sms"), else the survey's."""
    survey.forum_answered = True
    db.add(survey)
    if not wants:
        return None
    engagement = db.get(Engagement, survey.engagement_id)
    existing = db.exec(select(ForumConsent).where(ForumConsent.survey_id == survey.id)).first()
    if existing is not None:
        return existing
    by_email = (channel or survey.channel) == "email" and engagement.victim_email
    consent = ForumConsent(survey_id=survey.id, channel="email" if by_email else "sms",
                           phone=None if by_email else engagement.victim_phone,
                           email=engagement.victim_email if by_email else None,
                           borough=engagement.borough, consented_at=now)
    db.add(consent)
    log.info("forum consent for survey %s by %s", survey.id, consent.channel)
    return consent


def withdraw(db: Session, survey_id: int, via: str) -> bool:
    """Withdraw the consent given with SURVEY_ID (clearing its contact); False if none."""
    consent = db.exec(select(ForumConsent).where(ForumConsent.survey_id == survey_id)).first()
    if consent is None:
        return False
    if consent.withdrawn_at is None:
        consent.withdrawn_at, consent.withdrawn_via = clock.now(), via
    consent.phone = consent.email = None
    db.add(consent)
    log.info("forum consent for survey %s withdrawn (%s)", survey_id, via)
    return True


def withdraw_by_phone(db: Session, phone: str) -> int:
    """FORUM STOP from PHONE: withdraw every consent that would contact that number
    (given by text or on the web); how many there were."""
    consents = db.exec(select(ForumConsent).where(ForumConsent.phone == phone)).all()
    for consent in consents:
        withdraw(db, consent.survey_id, via="sms")
    return len(consents)


def asked_before(db: Session, phone: str) -> bool:
    """Was this victim (the number) ever asked the forum question, by text or on the web,
    or do they hold a consent?  The text survey asks once per victim."""
    asked = select(Survey.id).where(Survey.phone == phone,
                                    or_(Survey.forum_asked_at.is_not(None), Survey.forum_answered.is_(True)))
    return (db.exec(asked.limit(1)).first() is not None
            or db.exec(select(ForumConsent.id).where(ForumConsent.phone == phone).limit(1)).first() is not None)


def active_consents(db: Session) -> list[ForumConsent]:
    return db.exec(select(ForumConsent).where(ForumConsent.withdrawn_at.is_(None))
                   .order_by(ForumConsent.consented_at.desc(), ForumConsent.id.desc())).all()


def _count_one(db: Session, cell: dict) -> None:
    """Add one to the count of CELL (a row made on its first answer; two first answers
    at once: the loser adds to the winner's row)."""
    match = [getattr(EqualityResponse, name) == value for name, value in cell.items()]
    for _ in range(2):
        if db.execute(update(EqualityResponse).where(*match)
                      .values(count=EqualityResponse.count + 1)).rowcount == 1:
            return
        try:
            with db.begin_nested():
                db.add(EqualityResponse(**cell, count=1))
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not count an equality answer")


def record_equality(db: Session, survey: Survey, age_band: str | None, ethnicity: str | None) -> bool:
    """Store the optional answers apart from the survey (month, borough, stage and
    rating only); once per survey.  False when not recorded."""
    if survey.rating is None or survey.equality_answered:
        return False
    engagement = db.get(Engagement, survey.engagement_id)
    age, ethnic = equality.clean(age_band, ethnicity)
    cell = dict(month=f"{engagement.occurred_at.astimezone(LONDON):%Y-%m}", borough=engagement.borough,
                stage=engagement.stage, rating=survey.rating, age_band=age, ethnicity=ethnic)
    _count_one(db, cell)
    survey.equality_answered = True
    db.add(survey)
    return True
