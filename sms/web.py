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
from flows import sms_conversation as conv
from flows.hours import WeeklyHours, day_groups
from models.db import session
from models.surveys import Survey
from services import survey_links as links
from services import surveys
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
        return page("rated.html", rating=survey.rating, message=None,
                    ask_comment=survey.comment is None, nonce=links.make_nonce(survey.id), token=token)
    return page("survey.html", nonce=links.make_nonce(survey.id), token=token)


@bp.post("/s/<token>")
def survey_submit(token: str):
    survey = _survey(token)
    if survey is None:
        return page("link_invalid.html", 404)
    if not links.nonce_matches(request.form.get("nonce", ""), survey.id):
        return page("survey.html", 400, nonce=links.make_nonce(survey.id), token=token,
                    error="Sorry, that form was out of date. Please choose your rating again.")
    raw = request.form.get("rating", "")
    comment = request.form.get("comment", "")
    now, db = clock.now(), session()
    if raw:
        if raw not in {"1", "2", "3", "4", "5"}:
            return page("survey.html", 400, nonce=links.make_nonce(survey.id), token=token,
                        error="Please choose a rating from 1 to 5.")
        step = conv.rate(surveys.state_of(survey), int(raw), comment, now)
    elif comment.strip() and survey.rating is not None:
        step = conv.rate(surveys.state_of(survey), survey.rating, comment, now)
    elif survey.rating is not None:  # the optional comment box, sent empty: nothing to record
        return page("rated.html", rating=survey.rating, message="Thank you. We have your rating.",
                    ask_comment=False, nonce=links.make_nonce(survey.id), token=token)
    else:
        return page("survey.html", 400, nonce=links.make_nonce(survey.id), token=token,
                    error="Please choose a rating from 1 to 5.")
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
    return page("rated.html", rating=survey.rating, message=message, ask_comment=survey.comment is None,
                nonce=links.make_nonce(survey.id), token=token)


@bp.get("/leaflet")
def leaflet():
    return page("leaflet.html")
