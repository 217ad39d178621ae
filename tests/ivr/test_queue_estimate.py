"""The likely wait from the answer rate (flows/queue_estimate.py): pure arithmetic."""
from flows.queue_estimate import wait_seconds


def test_no_estimate_from_too_few_answers_or_with_nobody_on_duty():
    assert wait_seconds(3, answered=4, agent_minutes=120, agents_now=2, min_answered=5) is None
    assert wait_seconds(3, answered=20, agent_minutes=120, agents_now=0, min_answered=5) is None
    assert wait_seconds(None, answered=20, agent_minutes=120, agents_now=2, min_answered=5) is None
    assert wait_seconds(3, answered=20, agent_minutes=0, agents_now=2, min_answered=5) is None


def test_the_wait_is_the_place_over_the_answer_rate():
    # 12 answered in 120 agent-minutes: 0.1 per agent-minute; 2 on duty: 0.2 a minute
    assert wait_seconds(1, answered=12, agent_minutes=120, agents_now=2, min_answered=5) == 300
    assert wait_seconds(10, answered=12, agent_minutes=120, agents_now=2, min_answered=5) == 3000
    # half the agents now: twice the wait
    assert wait_seconds(1, answered=12, agent_minutes=120, agents_now=1, min_answered=5) == 600
    # the same answers from agents on duty for only half the hour: twice the rate
    assert wait_seconds(1, answered=12, agent_minutes=60, agents_now=2, min_answered=5) == 150
