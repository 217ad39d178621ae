"""The survey state machine on its own: plain data in, plain data out."""
from datetime import UTC, datetime, timedelta

from flows import sms_conversation as conv
from flows.sms_conversation import (CommentRecorded, Expired, GaveUp, RatingRecorded, Reply,
                                    SecondRatingRefused, SurveyState, rate, resume)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OPEN = SurveyState(expires_at=NOW + timedelta(days=7))


def walk(state, *texts):
    replies = []
    for text in texts:
        step = resume(state, text, NOW)
        state = step.state
        replies.append(step.reply().text_id)
    return state, replies


def test_rating_then_comment():
    step = resume(OPEN, "five", NOW)
    assert step.events == (RatingRecorded(5), Reply("survey_comment_prompt", {"rating": 5}))
    step = resume(step.state, "Kind and quick", NOW)
    assert step.events == (CommentRecorded("Kind and quick"), Reply("survey_thanks"))
    assert step.state.status == conv.COMPLETED and step.state.rating == 5


def test_one_reprompt_then_stop():
    state, replies = walk(OPEN, "eh", "dunno")
    assert replies == ["survey_reprompt", "survey_gave_up"]
    assert state.status == conv.UNANSWERED and state.rating is None


def test_reprompt_then_rating():
    state, replies = walk(OPEN, "what?", "3")
    assert replies == ["survey_reprompt", "survey_comment_prompt"] and state.rating == 3


def test_declining_a_comment():
    state, replies = walk(OPEN, "4", "No thanks.")
    assert replies == ["survey_comment_prompt", "survey_thanks_no_comment"]
    assert state.status == conv.COMPLETED and not state.has_comment


def test_second_rating_is_refused_and_said():
    state, _ = walk(OPEN, "4")
    step = resume(state, "1", NOW)
    assert step.events == (SecondRatingRefused(kept=4, refused=1),
                           Reply("survey_already_rated", {"first": 4, "attempted": 1}))
    assert step.state.rating == 4
    assert resume(state, "4", NOW).reply() == Reply("survey_already_rated_same", {"first": 4})


def test_expiry():
    step = resume(OPEN, "5", NOW + timedelta(days=7))
    assert step.events == (Expired(), Reply("survey_expired"))
    assert step.state.status == conv.EXPIRED and step.state.rating is None


def test_comment_is_capped():
    state, _ = walk(OPEN, "5")
    step = resume(state, "x" * 5000, NOW)
    assert step.events[0] == CommentRecorded("x" * conv.COMMENT_MAX)


def test_web_rating_follows_the_same_rules():
    step = rate(OPEN, 4, "  thank you  ", NOW)
    assert RatingRecorded(4) in step.events and CommentRecorded("thank you") in step.events
    again = rate(step.state, 2, None, NOW)
    assert SecondRatingRefused(kept=4, refused=2) in again.events and again.state.rating == 4
    late = rate(OPEN, 4, None, NOW + timedelta(days=8))
    assert Expired() in late.events and late.state.rating is None


def test_gave_up_event_is_emitted():
    state, _ = walk(OPEN, "eh")
    assert GaveUp() in resume(state, "eh", NOW).events
