"""The pure rules: who is rung for what, and when a callback may ring."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.clock import LONDON
from flows import dispatch as rules

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def agent(id, idle_minutes, *skills, state="available"):
    return rules.AgentInfo(id, state, T0 - timedelta(minutes=idle_minutes), tuple(skills))


def work(key, joined_minutes_ago, language="en", vawg=False, tried=()):
    return rules.Work("queue", key, T0 - timedelta(minutes=joined_minutes_ago), language, vawg, frozenset(tried))


def test_the_longest_idle_agent_takes_the_longest_waiting_caller():
    agents = [agent(1, 5), agent(2, 30), agent(3, 10)]
    pairs = rules.assign([work("B", 1), work("A", 9)], agents, ringing=set())
    assert [(w.key, a.id) for w, a in pairs] == [("A", 2), ("B", 3)]


def test_agents_already_ringing_busy_or_offline_are_not_chosen():
    agents = [agent(1, 50), agent(2, 40, state="busy"), agent(3, 30, state="offline"),
              agent(4, 20, state="wrap_up"), agent(5, 10)]
    pairs = rules.assign([work("A", 3)], agents, ringing={1})
    assert [a.id for _, a in pairs] == [5]


def test_a_polish_caller_waits_for_a_polish_speaker_while_others_are_served():
    agents = [agent(1, 30, "en"), agent(2, 5, "pl", "en", state="busy")]
    pairs = rules.assign([work("PL", 10, "pl"), work("EN", 2)], agents, ringing=set())
    assert [(w.key, a.id) for w, a in pairs] == [("EN", 1)]


def test_with_no_polish_speaker_on_duty_anyone_takes_a_polish_caller():
    agents = [agent(1, 30, "en"), agent(2, 5, "pl", state="offline")]
    pairs = rules.assign([work("PL", 10, "pl")], agents, ringing=set())
    assert [a.id for _, a in pairs] == [1]


def test_vawg_calls_prefer_a_vawg_agent_over_a_longer_idle_one():
    agents = [agent(1, 30, "en"), agent(2, 5, "en", "vawg")]
    assert rules.assign([work("A", 1, vawg=True)], agents, set())[0][1].id == 2
    assert rules.assign([work("A", 1)], agents, set())[0][1].id == 1


def test_an_agent_who_missed_this_caller_is_tried_last():
    agents = [agent(1, 30), agent(2, 5)]
    assert rules.assign([work("A", 1, tried={1})], agents, set())[0][1].id == 2
    assert rules.assign([work("A", 1, tried={1, 2})], agents, set())[0][1].id == 1


def test_an_agent_goes_offline_on_the_second_miss_in_a_row():
    assert rules.after_miss(0) == (1, False)
    assert rules.after_miss(1) == (2, True)


def test_wrap_up_ends_after_the_configured_time():
    start = T0
    assert rules.wrap_up_over("wrap_up", start, T0 + timedelta(seconds=59), timedelta(seconds=60)) is None
    assert rules.wrap_up_over("wrap_up", start, T0 + timedelta(seconds=61), timedelta(seconds=60)) == T0 + timedelta(seconds=60)
    assert rules.wrap_up_over("busy", start, T0 + timedelta(hours=1), timedelta(seconds=60)) is None


def london(h, m):
    return datetime(2026, 11, 23, h, m, tzinfo=LONDON)


def test_callback_window_and_case_safe_times_must_both_allow_the_call():
    kw = dict(safe_to_call=True, window_start="08:00", window_end="12:00")
    assert rules.safe_to_call_now(london(9, 0), case_windows=None, **kw)
    assert not rules.safe_to_call_now(london(12, 0), case_windows=None, **kw)  # end exclusive
    assert rules.safe_to_call_now(london(10, 30), case_windows=["10:00-11:00"], **kw)
    assert not rules.safe_to_call_now(london(9, 0), case_windows=["10:00-11:00"], **kw)
    assert not rules.safe_to_call_now(london(10, 30), case_windows=["13:00-14:00"], **kw)
    assert rules.safe_to_call_now(london(19, 0), safe_to_call=True, window_start=None, window_end=None,
                                  case_windows=[])
    assert not rules.safe_to_call_now(london(9, 0), safe_to_call=False, window_start=None, window_end=None,
                                      case_windows=None)


def test_attempts_are_spaced_then_given_up_after_the_last():
    policy = rules.AttemptPolicy(3, (timedelta(minutes=15), timedelta(minutes=60)))
    assert policy.next_attempt(1, T0) == T0 + timedelta(minutes=15)
    assert policy.next_attempt(2, T0) == T0 + timedelta(minutes=60)
    assert policy.next_attempt(3, T0) is None
