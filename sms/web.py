"""The survey on the web (the QR code and link an officer hands over) and the victim
information leaflet.

Not Twilio routes, so no signature check: the signed token in the URL is what lets
someone rate, and the page shows nothing about the case.  Pages are small,
server-rendered and work without JavaScript.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, render_template, request
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import InternalServerError

from desk import clock
from desk.phone import desk_number
from flows import equality, journey
from flows import sms_conversation as conv
from flows import survey_page as words
from flows.hours import WeeklyHours, day_groups
from models.db import session
from models.outbox import record_email_opt_out
from models.surveys import Engagement, Survey
from services import forum, surveys
from services import survey_links as links
from services.hours import weekly_hours

log = logging.getLogger(__name__)

bp = Blueprint("survey_web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/survey-static")

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never pass it on
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


@bp.errorhandler(InternalServerError)
def trouble(error: InternalServerError) -> Response:
    """Whatever fails behind a victim's page (the database or Redis away, a fault), they
    get a page that says so, with the 999 line and the desk's number, not a bare error
    (Flask has logged it and reported it to Sentry already).  It needs neither store."""
    away = isinstance(error.original_exception, SQLAlchemyError | RedisError)
    response = page("trouble.html", 503 if away else 500, asked_language())
    if away:
        response.headers["Retry-After"] = "300"
    return response


def opening_hours(weekly: WeeklyHours, language: str = "en") -> str:
    """``Monday to Friday 08:00 to 20:00, Saturday and Sunday 08:00 to 16:00``; as in
    the texts, weekends stand for bank holidays too when they keep the same hours."""
    t = words.page_text(language)
    return ", ".join(t["hours"].format(days=t[days], start=f"{hours[0]:%H:%M}", end=f"{hours[1]:%H:%M}") if hours
                     else t["closed"].format(days=t[days]) for days, hours in day_groups(weekly))


def page(template: str, status: int = 200, language: str = "en", **context) -> Response:
    """A page in LANGUAGE (the survey's; English where it is not known)."""
    html = render_template(f"survey_web/{template}", desk_number=desk_number(), t=words.page_text(language),
                           opening_hours=opening_hours(weekly_hours(), language), **context)
    return Response(html, status=status, mimetype="text/html", headers=HEADERS)


def asked_language() -> str:
    """The language of a page that cannot tell whose link it is (see chosen_language)."""
    return words.chosen_language(request.args.get("lang"), request.accept_languages.best_match(words.LANGUAGES))


def language_of(survey: Survey) -> str:
    """The survey's language: the engagement's (en | pl)."""
    engagement = session().get(Engagement, survey.engagement_id)
    return engagement.language if engagement.language in words.LANGUAGES else "en"


def question(survey: Survey) -> str:
    """The survey's question, worded for the stage of the journey, naming no officer or
    date (whoever holds the link sees the page)."""
    engagement = session().get(Engagement, survey.engagement_id)
    return journey.web_question(engagement.stage, language_of(survey))


def said(survey: Survey, key: str, **params) -> str:
    """What the page says back, in the survey's language."""
    return words.page_text(language_of(survey))[key].format(**params)


def _survey(token: str) -> Survey | None:
    survey_id = links.read_token(token, clock.now())
    return session().get(Survey, survey_id) if survey_id is not None else None


@bp.get("/s/<token>")
def survey_page(token: str):
    survey = _survey(token)
    if survey is None:
        return not_open(token)
    state, now = surveys.state_of(survey), clock.now()
    if survey.status == conv.EXPIRED or (survey.status in conv.OPEN and conv.is_expired(state, now)):
        return page("link_invalid.html", 410, language_of(survey), closed=True)
    if survey.rating is not None:
        return rated(survey, token, None)
    return ask(survey, token)


def not_open(token: str) -> Response:
    """A link that does not open a survey: one past its time says the survey has closed,
    in the survey's language; anything else is not recognised."""
    survey_id = links.read_expired(token, clock.now())
    survey = session().get(Survey, survey_id) if survey_id is not None else None
    if survey is not None:
        return page("link_invalid.html", 410, language_of(survey), closed=True)
    return page("link_invalid.html", 404, asked_language())


def ask(survey: Survey, token: str, status: int = 200, error: str | None = None) -> Response:
    language = language_of(survey)
    return page("survey.html", status, language, nonce=links.make_nonce(survey.id), token=token, error=error,
                question=question(survey), scale=journey.SCALE[language])


@bp.post("/s/<token>")
def survey_submit(token: str):
    survey = _survey(token)
    if survey is None:
        return not_open(token)
    if not links.nonce_matches(request.form.get("nonce", ""), survey.id):
        return ask(survey, token, 400, said(survey, "out_of_date"))
    raw = request.form.get("rating", "")
    comment = request.form.get("comment", "")
    now, db = clock.now(), session()
    if raw:
        if raw not in {"1", "2", "3", "4", "5"}:
            return ask(survey, token, 400, said(survey, "choose_rating"))
        step = conv.rate(surveys.state_of(survey), int(raw), comment, now)
    elif comment.strip() and survey.rating is not None:
        step = conv.rate(surveys.state_of(survey), survey.rating, comment, now)
    elif survey.rating is not None:
        return rated(survey, token, None)  # the optional comment box sent empty: nothing changes
    else:
        return ask(survey, token, 400, said(survey, "choose_rating"))
    if any(isinstance(e, conv.Expired) for e in step.events):
        surveys.apply(db, survey, step, now, via="web")
        db.commit()
        return page("link_invalid.html", 410, language_of(survey), closed=True)
    surveys.apply(db, survey, step, now, via="web")
    db.commit()
    recorded = any(isinstance(e, conv.RatingRecorded) for e in step.events)
    refused = next((e for e in step.events if isinstance(e, conv.SecondRatingRefused)), None)
    commented = any(isinstance(e, conv.CommentRecorded) for e in step.events)
    if recorded:
        message = said(survey, "recorded", rating=survey.rating)
    elif refused:
        message = said(survey, "refused", kept=refused.kept, refused=refused.refused)
    elif raw:
        message = said(survey, "unchanged", rating=survey.rating)
    else:
        message = None
    if commented:
        message = (message + " " if message else "") + said(survey, "comment_thanks")
    return rated(survey, token, message)


def rated(survey: Survey, token: str, message: str | None, status: int = 200, **extra) -> Response:
    """The page after a rating: the comment box until there is a comment, then the
    optional questions (the forum, equality monitoring) until each is answered."""
    language = language_of(survey)
    return page("rated.html", status, language, rating=survey.rating, message=message,
                ask_comment=survey.comment is None, nonce=links.make_nonce(survey.id), token=token,
                ask_forum=not survey.forum_answered, ask_equality=not survey.equality_answered,
                age_bands=words.age_bands(language), ethnic_groups=words.ethnic_groups(language),
                prefer_not=equality.PREFER_NOT, prefer_not_label=words.prefer_not(language), **extra)


def _rated_survey(token: str) -> Survey | None:
    """The survey of TOKEN if the form's nonce matches and it has a rating (the optional
    questions come only after the rating)."""
    survey = _survey(token)
    if survey is None or survey.rating is None or not links.nonce_matches(request.form.get("nonce", ""), survey.id):
        return None
    return survey


def token_language(token: str) -> str:
    survey = _survey(token)
    return language_of(survey) if survey is not None else asked_language()


@bp.post("/s/<token>/forum")
def survey_forum(token: str):
    survey = _rated_survey(token)
    if survey is None:
        return page("link_invalid.html", 400, token_language(token))
    answer = request.form.get("forum", "")
    if answer not in ("yes", "no"):
        return rated(survey, token, said(survey, "choose_yes_no"), 400)
    db = session()
    if survey.forum_answered:
        return rated(survey, token, said(survey, "forum_already"))
    consent = forum.answer_forum(db, survey, answer == "yes", clock.now())
    db.commit()
    if consent is None:
        return rated(survey, token, said(survey, "forum_declined"))
    return rated(survey, token, said(survey, "forum_consented"),
                 withdraw_link=forum.withdraw_url(survey.id))


@bp.post("/s/<token>/about-you")
def survey_about_you(token: str):
    survey = _rated_survey(token)
    if survey is None:
        return page("link_invalid.html", 400, token_language(token))
    db = session()
    forum.record_equality(db, survey, request.form.get("age_band"), request.form.get("ethnicity"))
    db.commit()
    return rated(survey, token, said(survey, "about_thanks"))


@bp.get("/forum/withdraw/<token>")
def forum_withdraw_confirm(token: str):
    """The withdraw link: a page with one button.  A GET changes nothing, because mail
    scanners and link previews open every link in a message."""
    survey_id = forum.read_withdraw(token)
    if survey_id is None:
        return page("forum_withdrawn.html", 404, asked_language(), done=False)
    return page("forum_withdrawn.html", language=_withdraw_language(survey_id), confirm=True, token=token)


@bp.post("/forum/withdraw/<token>")
def forum_withdraw(token: str):
    """The confirm page's button: the consent to hear about the Victim Voice Forum is
    withdrawn and its contact details cleared."""
    survey_id = forum.read_withdraw(token)
    if survey_id is None:
        return page("forum_withdrawn.html", 404, asked_language(), done=False)
    language = _withdraw_language(survey_id)
    db = session()
    forum.withdraw(db, survey_id, via="link")
    db.commit()
    return page("forum_withdrawn.html", language=language, done=True)


def _withdraw_language(survey_id: int) -> str:
    """The language of the survey the consent was given with (surveys are anonymised,
    never deleted; the browser's otherwise)."""
    survey = session().get(Survey, survey_id)
    return language_of(survey) if survey is not None else asked_language()


@bp.get("/email/unsubscribe/<token>")
def email_unsubscribe_confirm(token: str):
    """The link in the email: a page with one button.  A GET changes nothing, because
    mail scanners and link previews open every link in a message (RFC 8058 section 1)."""
    language = asked_language()
    if links.read_unsubscribe(token) is None:
        return page("unsubscribed.html", 404, language, done=False)
    # the button's answer in the language of the page it is on
    action = f"/email/unsubscribe/{token}" + ("?lang=pl" if language == "pl" else "")
    return page("unsubscribed.html", language=language, confirm=True, action=action)


@bp.post("/email/unsubscribe/<token>")
def email_unsubscribe(token: str):
    """The confirm page's button, or a mail client's RFC 8058 one-click POST (its body
    ``List-Unsubscribe=One-Click``, from the List-Unsubscribe-Post header): the address
    gets no more email from the desk.  Idempotent.  No nonce: the signed token is the
    authority, and a one-click POST carries nothing else."""
    address, language = links.read_unsubscribe(token), asked_language()
    if address is None:
        return page("unsubscribed.html", 404, language, done=False)
    db = session()
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    record_email_opt_out(db, address, source="list-unsubscribe" if one_click else "unsubscribe-link")
    db.commit()
    log.info("an email address unsubscribed (%s)", "one-click" if one_click else "confirm page")
    return page("unsubscribed.html", language=language, done=True)


@bp.get("/leaflet")
def leaflet():
    """The rights leaflet, in English or Polish (?lang=pl, the link in a Polish text, or
    a browser that prefers Polish)."""
    lang = asked_language()
    return page("leaflet.html", language=lang, lang=lang)
