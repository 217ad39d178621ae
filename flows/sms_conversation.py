"""The rating survey as a state machine: plain data in, plain data out.

A survey waits for a rating; an unclear reply is asked about once more, and a second
unclear reply ends the asking (its words go to the desk inbox, services/inbox.py).  A
rating with its reason ("4 - he was kind") is both the rating and the comment.  After a rating the victim may add a comment.  A reply
after the survey closed is told so, and a second rating never silently replaces the
first: the victim is told which answer we kept.

Once the rating (and the comment step) is done, a survey that may ask it (``forum_askable``:
the service decides, once per victim, never where texting is unsafe) asks in the same
reply whether the victim would like to hear about the forum: a group where people share
their experience to improve the service.  YES is a consent (``ForumAnswered(True)``), NO
is recorded as an answer and nothing more; silence leaves nothing.

``resume(state, inbound, now)`` steps the SMS conversation; ``rate(state, rating,
comment, now)`` is the same rule for the web page.  Both return a ``Step``: the new
state and the events the edges act on (store a rating, reply with catalog text …).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from flows.rating_parser import parse_rating, read_rating

# Survey statuses
AWAITING_RATING = "awaiting_rating"
AWAITING_COMMENT = "awaiting_comment"
COMPLETED = "completed"          # rated (and commented, or declined to)
UNANSWERED = "unanswered"        # two unclear replies: we stopped asking
EXPIRED = "expired"

OPEN = (AWAITING_RATING, AWAITING_COMMENT)
# A reply to these still gets an answer about this survey (e.g. "you already rated").
ANSWERABLE = (AWAITING_RATING, AWAITING_COMMENT, COMPLETED)

COMMENT_MAX = 1000
# Answers to the forum question ("TAK" / "NIE" in Polish).  Only these: anything else
# is what it would have been without the question (a rating, a message for the desk).
FORUM_YES = {"yes", "y", "yes please", "yeah", "yep", "yes thanks", "yes thank you", "ok yes", "yes ok",
             "sure", "tak", "tak prosze", "tak proszę", "chetnie", "chętnie", "tak dziekuje", "tak dziękuję"}
FORUM_NO = {"nie", "nie dziekuje", "nie dziękuję", "dziekuje nie"}
DECLINES = {"no", "nope", "no thanks", "no thank you", "none", "skip", "n/a", "na", "nothing",
            "no comment", "no comments", "nothing to add", "nah",
            "nie", "nie dziekuje", "nie dziękuję", "brak", "bez komentarza"}


@dataclass(frozen=True)
class SurveyState:
    status: str = AWAITING_RATING
    reprompted: bool = False
    rating: int | None = None
    has_comment: bool = False
    expires_at: datetime | None = None
    forum_askable: bool = False  # the forum question may be asked on this survey
    forum_asked: bool = False
    forum_answered: bool = False


# --- events -------------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """Answer with catalog text TEXT_ID (flows/sms_texts.py) filled with PARAMS."""
    text_id: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RatingRecorded:
    rating: int


@dataclass(frozen=True)
class CommentRecorded:
    comment: str


@dataclass(frozen=True)
class SecondRatingRefused:
    """A rating arrived for a survey already rated; the first is kept."""
    kept: int
    refused: int


@dataclass(frozen=True)
class ForumAsked:
    """The forum question went with this reply."""


@dataclass(frozen=True)
class ForumAnswered:
    wants: bool  # True: an explicit consent to hear about the forum


@dataclass(frozen=True)
class Expired:
    pass


@dataclass(frozen=True)
class GaveUp:
    pass


@dataclass(frozen=True)
class Step:
    state: SurveyState
    events: tuple = ()

    def reply(self) -> Reply | None:
        return next((e for e in self.events if isinstance(e, Reply)), None)


# --- transitions --------------------------------------------------------------------

def is_expired(state: SurveyState, now: datetime) -> bool:
    return state.expires_at is not None and now >= state.expires_at


def resume(state: SurveyState, inbound: str, now: datetime) -> Step:
    """One inbound text on this survey (keywords were dealt with before we get here)."""
    text = (inbound or "").strip()
    if state.status in OPEN and is_expired(state, now):
        return Step(replace(state, status=EXPIRED), (Expired(), Reply("survey_expired")))
    if state.status == AWAITING_RATING:
        reading = read_rating(text)
        if reading is not None and reading.comment:
            # "4 - he was kind": the rating and its reason, both kept, asked for nothing more
            return _then_forum(Step(replace(state, status=COMPLETED, rating=reading.rating, has_comment=True),
                                    (RatingRecorded(reading.rating), CommentRecorded(reading.comment[:COMMENT_MAX]),
                                     Reply("survey_thanks_rated", {"rating": reading.rating}))))
        if reading is not None:
            return _rated(state, reading.rating)
        if not state.reprompted:
            return Step(replace(state, reprompted=True), (Reply("survey_reprompt"),))
        return Step(replace(state, status=UNANSWERED), (GaveUp(), Reply("survey_gave_up")))
    if state.status == AWAITING_COMMENT:
        rating = parse_rating(text)
        if rating is not None:
            return _second_rating(state, rating)
        if _declines(text) or not text:
            return _then_forum(Step(replace(state, status=COMPLETED),
                                    (Reply("survey_thanks_no_comment", {"rating": state.rating}),)))
        return _then_forum(Step(replace(state, status=COMPLETED, has_comment=True),
                                (CommentRecorded(text[:COMMENT_MAX]), Reply("survey_thanks"))))
    if state.status == COMPLETED and state.forum_asked and not state.forum_answered:
        said = _plain(text)
        if said in FORUM_YES:
            return Step(replace(state, forum_answered=True), (ForumAnswered(True), Reply("forum_yes")))
        if said in FORUM_NO or _declines(text):
            return Step(replace(state, forum_answered=True), (ForumAnswered(False), Reply("forum_no")))
    if state.status == COMPLETED:
        rating = parse_rating(text)
        if rating is not None:
            return _second_rating(state, rating)
        return Step(state, (Reply("help"),))
    if state.status == EXPIRED:
        return Step(state, (Reply("survey_expired"),))
    return Step(state, (Reply("help"),))


def rate(state: SurveyState, rating: int, comment: str | None, now: datetime) -> Step:
    """A rating (and optional comment) from the web page, by the same rules as SMS."""
    comment = (comment or "").strip()[:COMMENT_MAX] or None
    if state.status in OPEN and is_expired(state, now) or state.status == EXPIRED:
        return Step(replace(state, status=EXPIRED), (Expired(), Reply("survey_expired")))
    if not 1 <= rating <= 5:
        return Step(state, (Reply("survey_reprompt"),))
    if state.rating is not None:
        step = _second_rating(state, rating)
        if comment and not state.has_comment:
            # a comment is welcome even when the rating was already given
            return Step(replace(step.state, status=COMPLETED, has_comment=True),
                        (*step.events, CommentRecorded(comment)))
        return step
    events: tuple = (RatingRecorded(rating),)
    if comment:
        events += (CommentRecorded(comment),)
    return Step(replace(state, status=COMPLETED, rating=rating, has_comment=bool(comment)),
                events + (Reply("survey_thanks_no_comment", {"rating": rating}),))


def _rated(state: SurveyState, rating: int) -> Step:
    return Step(replace(state, status=AWAITING_COMMENT, rating=rating),
                (RatingRecorded(rating), Reply("survey_comment_prompt", {"rating": rating})))


def _second_rating(state: SurveyState, rating: int) -> Step:
    first = state.rating
    if rating == first:
        return Step(state, (Reply("survey_already_rated_same", {"first": first}),))
    return Step(state, (SecondRatingRefused(kept=first, refused=rating),
                        Reply("survey_already_rated", {"first": first, "attempted": rating})))


def _then_forum(step: Step) -> Step:
    """A finished survey that may ask the forum question asks it, in place of its thanks."""
    state = step.state
    if state.status != COMPLETED or not state.forum_askable or state.forum_asked or state.forum_answered:
        return step
    events = tuple(e for e in step.events if not isinstance(e, Reply))
    return Step(replace(state, forum_asked=True),
                events + (ForumAsked(), Reply("survey_forum_ask", {"rating": state.rating})))


def _plain(text: str) -> str:
    """"Yes, please!" as "yes please": the words alone, for the forum answers."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _declines(text: str) -> bool:
    return re.sub(r"[\s.!,]+$", "", text.lower()).strip() in DECLINES
