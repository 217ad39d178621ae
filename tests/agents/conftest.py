"""Fixtures for the desk-agent side: a fixed clock inside opening hours, agents in
the database, callers and agents driven through the emulator (signatures on), and
real RQ workers against the fake Twilio REST API."""
from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def add_agent(app, clock):
    """Create an agent who has been idle for ``idle`` minutes; returns its id."""
    from models.agents import Agent
    from models.db import session

    def make(name: str, phone: str | None = None, *, skills=("en",), state="available", idle: int = 0,
             client: str | None = None) -> int:
        with app.app_context():
            db = session()
            agent = Agent(name=name, phone=phone, client_identity=client, skills=list(skills), state=state,
                          state_changed_at=clock() - timedelta(minutes=idle))
            db.add(agent)
            db.commit()
            return agent.id

    return make


@pytest.fixture
def dial(client, clock):
    """A victim phones the desk line; returns the Caller (emulator), already dialled."""
    from tests.conftest import AUTH_TOKEN, DESK_NUMBER, PUBLIC_BASE_URL
    from emulator.caller import Caller

    def make(from_: str) -> Caller:
        return Caller(client, base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, from_=from_, to=DESK_NUMBER,
                      status_url="/ivr/status", clock=clock).dial()

    return make


@pytest.fixture
def route(app, fake_twilio, run_workers):
    """Run the queued jobs through real RQ workers; fail on any job that raised.
    Returns the REST calls placed (to agents) during this run."""
    from rq.registry import FailedJobRegistry

    from workers.queues import all_queues

    def run() -> list:
        before = len(fake_twilio.calls)
        run_workers()
        with app.app_context():
            for q in all_queues(app.config):
                failed = FailedJobRegistry(queue=q)
                if failed.count:
                    job = q.fetch_job(failed.get_job_ids()[0])
                    raise AssertionError(f"an RQ job failed:\n{job.latest_result().exc_string}")
        return fake_twilio.calls[before:]

    return run


@pytest.fixture
def pick_up(client, clock):
    """The agent answers the REST call the router placed: runs the call's Url as Twilio
    would, with the agent's CallSid; returns the agent's Caller (emulator)."""
    from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL
    from emulator.caller import Caller
    from emulator.signing import app_path

    def answer(call) -> Caller:
        url = call.params["Url"][0]
        agent = Caller(RecordingClient(client), base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN,
                       from_=call["from"], to=call["to"], voice_url=app_path(PUBLIC_BASE_URL, url),
                       call_sid=call.sid, clock=clock)
        return agent.dial()

    return answer


class RecordingClient:
    """A Flask test client that keeps every TwiML reply, so a test can read attributes
    the emulator does not act on (e.g. <Number url machineDetection>)."""

    def __init__(self, client):
        self.client, self.replies = client, []

    def open(self, *args, **kwargs):
        response = self.client.open(*args, **kwargs)
        self.replies.append(response.get_data(as_text=True))
        return response


def last_twiml(agent):
    """The last TwiML document the app gave this emulated call, parsed."""
    import xml.etree.ElementTree as ET

    return ET.fromstring(agent.client.replies[-1])


@pytest.fixture
def call_status(client, fake_twilio):
    """Twilio reports the agent leg's progress to the StatusCallback the router gave."""
    from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL
    from emulator.signing import check_accepted, post_signed

    def send(call, status: str) -> None:
        url = call.params["StatusCallback"][0]
        response = post_signed(client, PUBLIC_BASE_URL, url, fake_twilio.call_status_params(call.sid, status),
                               AUTH_TOKEN)
        check_accepted(response, url)

    return send


@pytest.fixture
def twilio_fetch(client):
    """A webhook Twilio fetches outside the emulated call (e.g. <Queue url>, <Number url>):
    POSTs signed params and returns what was said, as one string, and the TwiML verbs."""
    from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL
    from emulator.signing import post_signed, twiml_root

    def fetch(path: str, params: dict) -> tuple[str, list[str]]:
        response = post_signed(client, PUBLIC_BASE_URL, path, params, AUTH_TOKEN)
        root = twiml_root(response, path)
        said = " ".join(" ".join("".join(el.itertext()).split()) for el in root.iter("Say"))
        return said, [el.tag for el in root]

    return fetch


@pytest.fixture
def rows(app):
    """Fresh rows of a table (own app context and session each time), for assertions."""
    from sqlmodel import select

    from models.db import session

    def fetch(model, *where, order_by=None) -> list:
        with app.app_context():
            query = select(model).where(*where) if where else select(model)
            return list(session().exec(query.order_by(order_by if order_by is not None else model.id)).all())

    return fetch


@pytest.fixture
def fire_scheduled(app):
    """What RQ's scheduler does when the time comes: move every job scheduled with
    enqueue_in/enqueue_at onto its queue.  Returns when each was scheduled for (UTC),
    so a test can check the timing without waiting for it."""
    from rq.registry import ScheduledJobRegistry

    from workers.queues import all_queues

    def fire() -> list:
        fired = []
        with app.app_context():
            for q in all_queues(app.config):
                registry = ScheduledJobRegistry(queue=q)
                for job_id in registry.get_job_ids():
                    fired.append(registry.get_scheduled_time(job_id))
                    registry.remove(job_id)
                    q.enqueue_job(q.fetch_job(job_id))
        return sorted(fired)

    return fire


@pytest.fixture
def sweep(app, route):
    """The periodic sweep runs (as every worker's timer would) and its jobs are worked."""
    from workers.router import dispatch as sweep_job
    from desk.queues import queue

    def run() -> list:
        with app.app_context():
            queue(app.config, "default").enqueue(sweep_job)
        return route()

    return run
