"""The survey on the web (the QR code and link an officer hands over) and the victim
information leaflet.

Not Twilio routes, so no signature check: the signed token in the URL is what lets
someone rate, and the page shows nothing about the case.  Pages are small,
server-rendered and work without JavaScript.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, render_template, request

from desk import clock
from desk.phone import desk_number
from flows import equality, journey
from flows import sms_conversation as conv
from flows.hours import WeeklyHours, day_groups
from models.db import session
from models.outbox import record_email_opt_out
from models.surveys import Engagement, Survey
from services import forum, surveys
from services import survey_links as links
from services.hours import weekly_hours

log = logging.getLogger(__name__)

bp = Blueprint("survey_web", __name__, template_folder="templates")

# The kinds of day in the footer's hours; as in the texts, weekends stand for bank
# holidays too when they keep the same hours.
HOURS_DAYS = {"weekdays": "Monday to Friday", "weekends": "Saturday and Sunday", "bank_holidays": "bank holidays",
              "weekends_and_bank_holidays": "Saturday and Sunday"}
LABELS = {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never pass it on
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def opening_hours(weekly: WeeklyHours) -> str:
    """``Monday to Friday 08:00 to 20:00, Saturday and Sunday 08:00 to 16:00``"""
    return ", ".join(f"{HOURS_DAYS[days]} {hours[0]:%H:%M} to {hours[1]:%H:%M}" if hours
                     else f"closed on {HOURS_DAYS[days]}" for days, hours in day_groups(weekly))


def page(template: str, status: int = 200, **context) -> Response:
    html = render_template(f"survey_web/{template}", desk_number=desk_number(),
                           opening_hours=opening_hours(weekly_hours()), labels=LABELS, **context)
    return Response(html, status=status, mimetype="text/html", headers=HEADERS)


def question(survey: Survey) -> tuple[str, str]:
    """(the survey's question, its language): worded for the stage of the journey, and
    naming no officer or date (whoever holds the link sees the page)."""
    engagement = session().get(Engagement, survey.engagement_id)
    language = engagement.language if engagement.language in journey.LANGUAGES else "en"
    return journey.web_question(engagement.stage, language), language


def _survey(token: str) -> Survey | None:
    survey_id = links.read_token(token, clock.now())
    return session().get(Survey, survey_id) if survey_id is not None else None


@bp.get("/s/<token>")
def survey_page(token: str):
    survey = _survey(token)
    if survey is None:
        return page("link_invalid.html", 404)
    state, now = surveys.state_of(survey), clock.now()
    if survey.status == conv.EXPIRED or (survey.status in conv.OPEN and conv.is_expired(state, now)):
        return page("link_invalid.html", 410, closed=True)
    if survey.rating is not None:
        return rated(survey, token, None)
    return ask(survey, token)


def ask(survey: Survey, token: str, status: int = 200, error: str | None = None) -> Response:
    text, language = question(survey)
    return page("survey.html", status, nonce=links.make_nonce(survey.id), token=token, error=error,
                question=text, question_lang=language, scale=journey.SCALE[language])


@bp.post("/s/<token>")
def survey_submit(token: str):
    survey = _survey(token)
    if survey is None:
        return page("link_invalid.html", 404)
    if not links.nonce_matches(request.form.get("nonce", ""), survey.id):
        return ask(survey, token, 400, "Sorry, that form was out of date. Please choose your rating again.")
    raw = request.form.get("rating", "")
    comment = request.form.get("comment", "")
    now, db = clock.now(), session()
    if raw:
        if raw not in {"1", "2", "3", "4", "5"}:
            return ask(survey, token, 400, "Please choose a rating from 1 to 5.")
        step = conv.rate(surveys.state_of(survey), int(raw), comment, now)
    elif comment.strip() and survey.rating is not None:
        step = conv.rate(surveys.state_of(survey), survey.rating, comment, now)
    elif survey.rating is not None:  # the optional comment box, sent empty: nothing to record
        return page("rated.html", rating=survey.rating, message="Thank you. We have your rating.",
                    ask_comment=False, nonce=links.make_nonce(survey.id), token=token)
    else:
        return ask(survey, token, 400, "Please choose a rating from 1 to 5.")
    if any(isinstance(e, conv.Expired) for e in step.events):
        surveys.apply(db, survey, step, now, via="web")
        db.commit()
        return page("link_invalid.html", 410, closed=True)
    surveys.apply(db, survey, step, now, via="web")
    db.commit()
    recorded = any(isinstance(e, conv.RatingRecorded) for e in step.events)
    refused = next((e for e in step.events if isinstance(e, conv.SecondRatingRefused)), None)
    commented = any(isinstance(e, conv.CommentRecorded) for e in step.events)
    if recorded:
        message = f"Thank you. We have recorded your rating of {survey.rating}."
    elif refused:
        message = (f"You already rated this contact {refused.kept}, so we kept your first answer "
                   f"and did not record {refused.refused}.")
    elif raw:
        message = f"You already rated this contact {survey.rating}. Nothing has changed."
    else:
        message = None
    if commented:
        message = (message + " " if message else "") + "Thank you for your comment."
    return rated(survey, token, message)


def rated(survey: Survey, token: str, message: str | None, status: int = 200, **extra) -> Response:
    """The page after a rating: the comment box until there is a comment, then the
    optional questions (the forum, equality monitoring) until each is answered."""
    return page("rated.html", status, rating=survey.rating, message=message, ask_comment=survey.comment is None,
                nonce=links.make_nonce(survey.id), token=token, ask_forum=not survey.forum_answered,
                ask_equality=not survey.equality_answered, age_bands=equality.AGE_BANDS,
                ethnic_groups=equality.ETHNIC_GROUPS, prefer_not=equality.PREFER_NOT, **extra)


def _rated_survey(token: str) -> Survey | None:
    """The survey of TOKEN if the form's nonce matches and it has a rating (the optional
    questions come only after the rating)."""
    survey = _survey(token)
    if survey is None or survey.rating is None or not links.nonce_matches(request.form.get("nonce", ""), survey.id):
        return None
    return survey


@bp.post("/s/<token>/forum")
def survey_forum(token: str):
    survey = _rated_survey(token)
    if survey is None:
        return page("link_invalid.html", 400)
    answer = request.form.get("forum", "")
    if answer not in ("yes", "no"):
        return rated(survey, token, "Please choose yes or no.", 400)
    db = session()
    if survey.forum_answered:
        return rated(survey, token, "We already have your answer about the forum.")
    consent = forum.answer_forum(db, survey, answer == "yes", clock.now())
    db.commit()
    if consent is None:
        return rated(survey, token, "Thank you. We will not contact you about the forum.")
    return rated(survey, token, "Thank you. The forum's organisers may contact you about it.",
                 withdraw_link=forum.withdraw_url(survey.id))


@bp.post("/s/<token>/about-you")
def survey_about_you(token: str):
    survey = _rated_survey(token)
    if survey is None:
        return page("link_invalid.html", 400)
    db = session()
    forum.record_equality(db, survey, request.form.get("age_band"), request.form.get("ethnicity"))
    db.commit()
    return rated(survey, token, "Thank you for telling us about yourself.")


@bp.get("/forum/withdraw/<token>")
def forum_withdraw(token: str):
    """One click: the consent to hear about the Victim Voice Forum is withdrawn and its
    contact details cleared."""
    survey_id = forum.read_withdraw(token)
    if survey_id is None:
        return page("forum_withdrawn.html", 404, done=False)
    db = session()
    forum.withdraw(db, survey_id, via="link")
    db.commit()
    return page("forum_withdrawn.html", done=True)


@bp.route("/email/unsubscribe/<token>", methods=["GET", "POST"])
def email_unsubscribe(token: str):
    """One click (GET, from the link in the email) or a mail client's RFC 8058 one-click
    POST: the address gets no more email from the desk.  Idempotent."""
    address = links.read_unsubscribe(token)
    if address is None:
        return page("unsubscribed.html", 404, done=False)
    db = session()
    record_email_opt_out(db, address, source="unsubscribe-link" if request.method == "GET" else "list-unsubscribe")
    db.commit()
    log.info("an email address unsubscribed (%s)", request.method)
    return page("unsubscribed.html", done=True)


@bp.get("/leaflet")
def leaflet():
    return page("leaflet.html")
