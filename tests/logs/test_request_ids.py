"""A request id on every line of a request and of the jobs it enqueues."""
import logging
import re

import pytest

from tests.logs.support import root_output

VICTIM = "+447911123456"


@pytest.fixture
def logging_route(app):
    from desk.queues import queue

    def view():
        logging.getLogger("desk.test").warning("inside the request")
        job = queue(app.config, "default").enqueue("builtins.print", "x")
        return job.meta.get("request_id") or "none"

    app.add_url_rule("/_test/log", "test_log", view)
    return "/_test/log"


def test_a_sane_request_id_is_kept_and_returned(client, logging_route):
    out = root_output()
    response = client.get(logging_route, headers={"X-Request-Id": "edge-4f.7_A"})
    assert response.headers["X-Request-Id"] == "edge-4f.7_A"
    assert response.get_data(as_text=True) == "edge-4f.7_A"  # the job's meta
    assert "edge-4f.7_A" in [line for line in out.getvalue().splitlines() if "inside the request" in line][0]


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 65, "quo\"te;x", "ünï"])
def test_an_absent_or_odd_request_id_is_replaced(client, logging_route, given):
    headers = {} if given is None else {"X-Request-Id": given}
    response = client.get(logging_route, headers=headers)
    made = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert response.get_data(as_text=True) == made


def test_every_response_has_one_even_a_404(client):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/no/such/page").headers["X-Request-Id"])


def test_a_job_logs_with_the_request_id_that_enqueued_it_and_its_own_id(app, fake_twilio, run_workers):
    from desk import request_ids
    from models.db import session
    from services.outbox import queue_sms

    with app.app_context(), request_ids.bound("from-the-request"):
        db = session()
        queue_sms(db, to=VICTIM, body="Hello", purpose="test", key="rid")
        db.commit()
    out = root_output()
    run_workers()
    sent = [line for line in out.getvalue().splitlines() if re.search(r"message \d+ sent", line)]
    assert len(sent) == 1 and "from-the-request" in sent[0]
    assert re.search(r"job=[0-9a-f-]{36}", sent[0])
    assert request_ids.current() is None  # nothing leaks out of the job
