"""/metrics: Prometheus's text format behind a bearer token, with the webhook counts,
the texts sent, and the desk's state read from the database and Redis at each scrape."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from tests.ops.scraping import TOKEN, samples, value
from tests.support.service import MONDAY_10AM

VICTIM = "+447911123456"


def test_metrics_answers_404_while_no_token_is_set(app, client):
    assert app.config.get("METRICS_TOKEN") is None
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_metrics_needs_the_bearer_token(app, client):
    app.config["METRICS_TOKEN"] = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")


def test_the_token_setting_is_bounded():
    import pytest

    from desk.settings import ConfigError, load

    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        load({"METRICS_TOKEN": "short"})


def test_webhook_requests_are_counted_by_route_and_status_with_their_latency(app, client):
    labels = {"route": "/ivr/voice", "method": "POST", "status": "403"}
    before = value(app, "desk_http_requests_total", **labels)
    timed = value(app, "desk_http_request_duration_seconds_count", route="/ivr/voice")
    assert client.post("/ivr/voice", data={"CallSid": "CA1"}).status_code == 403  # unsigned
    assert value(app, "desk_http_requests_total", **labels) == before + 1
    assert value(app, "desk_http_request_duration_seconds_count", route="/ivr/voice") == timed + 1
    assert not any(name == "desk_http_requests_total" and dict(pairs)["route"] in ("/healthz", "/metrics")
                   for name, pairs in samples(app))


def test_texts_sent_are_counted_by_status(app, fake_twilio, run_workers):
    from models.db import session
    from services.outbox import queue_sms

    before = value(app, "desk_sms_outbound_total", status="sent")
    with app.app_context():
        db = session()
        queue_sms(db, to=VICTIM, body="Hello", purpose="test", key="metrics")
        db.commit()
    run_workers()
    assert value(app, "desk_sms_outbound_total", status="sent") == before + 1
    assert ("desk_sms_outbound_total", (("status", "failed"),)) in samples(app)  # listed before the first


def test_owed_texts_callers_callbacks_and_agents_are_read_at_scrape_time(app, clock):
    from models.agents import Agent
    from models.callbacks import CallbackRequest
    from models.calls import Call
    from models.db import session
    from models.outbox import OutboundMessage

    now = MONDAY_10AM
    with app.app_context():
        db = session()
        db.add(OutboundMessage(purpose="t", dedupe_key="owed", to_number=VICTIM, from_number=VICTIM, body="x",
                               created_at=now - timedelta(minutes=15)))
        # quiet hours defer a text: not owed yet, however old the row
        db.add(OutboundMessage(purpose="t", dedupe_key="quiet", to_number=VICTIM, from_number=VICTIM, body="x",
                               created_at=now - timedelta(hours=10), not_before=now + timedelta(hours=1)))
        db.add(OutboundMessage(purpose="t", dedupe_key="retry", to_number=VICTIM, from_number=VICTIM, body="x",
                               status="retry", created_at=now - timedelta(hours=2),
                               next_attempt_at=now + timedelta(minutes=1)))
        db.add(OutboundMessage(purpose="t", dedupe_key="sent", to_number=VICTIM, from_number=VICTIM, body="x",
                               status="sent", created_at=now - timedelta(hours=3)))
        db.add(Call(call_sid="CA-wait-1", waiting_since=now - timedelta(seconds=90)))
        db.add(Call(call_sid="CA-wait-2", waiting_since=now - timedelta(seconds=30)))
        db.add(CallbackRequest(phone=VICTIM, queue_joined_at=now - timedelta(hours=2)))
        db.add(CallbackRequest(phone="+447911123457", queue_joined_at=now - timedelta(minutes=1)))
        db.add(Agent(name="a1", phone="+447911000001", state="available"))
        db.add(Agent(name="a2", phone="+447911000002", state="busy"))
        db.add(Agent(name="a3", phone="+447911000003", state="busy"))
        db.commit()
    found = samples(app)
    assert found[("desk_sms_owed", ())] == 1
    assert found[("desk_sms_oldest_owed_age_seconds", ())] == 15 * 60
    assert found[("desk_callers_waiting", ())] == 2
    assert found[("desk_callers_longest_wait_seconds", ())] == 90
    assert found[("desk_callbacks_pending", ())] == 2
    assert found[("desk_callbacks_overdue", ())] == 1
    assert found[("desk_agents", (("state", "busy"),))] == 2
    assert found[("desk_agents", (("state", "available"),))] == 1
    assert found[("desk_agents", (("state", "offline"),))] == 0
    assert found[("desk_ready", (("check", "schema"),))] == 1


def test_queues_failed_jobs_and_the_scheduler_lock_come_from_redis(app):
    from rq.scheduler import RQScheduler

    from desk.queues import queue
    from desk.redis_conn import connect

    assert value(app, "desk_rq_scheduler_locked", queue="outbound") == 0
    queue(app.config, "default").enqueue("workers.retention.anonymise_old_records")
    connect(app.config).set(RQScheduler.get_locking_key("outbound"), "worker-1", ex=60)
    found = samples(app)
    assert found[("desk_rq_queue_jobs", (("queue", "default"),))] == 1
    assert found[("desk_rq_queue_jobs", (("queue", "outbound"),))] == 0
    assert found[("desk_rq_failed_jobs", (("queue", "default"),))] == 0
    assert found[("desk_rq_scheduler_locked", (("queue", "outbound"),))] == 1
    assert found[("desk_rq_scheduler_locked", (("queue", "default"),))] == 0


COUNT_IN_ANOTHER_PROCESS = """
from desk.metrics import SMS_OUTBOUND
SMS_OUTBOUND.labels("failed").inc(2)
"""


def test_counts_from_every_process_are_added_up_in_multiprocess_mode(app, tmp_path, monkeypatch):
    # as several gunicorn workers and the RQ work horses do, each writing its own file
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS], check=True, timeout=60)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    found = samples(app)
    assert found[("desk_sms_outbound_total", (("status", "failed"),))] == 4
    assert found[("desk_callers_waiting", ())] == 0  # the gauges are still read at scrape time
