"""Endpoints for the people and machines that run the service: liveness (/healthz),
readiness (/readyz) and Prometheus metrics (/metrics), outside the webhooks, the API and
the console, with no login, no audit and no access-log line for the probes."""
from __future__ import annotations

from ops import probes, quiet_probes, scrape


def init_app(app) -> None:
    app.register_blueprint(probes.bp)
    app.register_blueprint(scrape.bp)
    scrape.init_app(app)
    quiet_probes.install()
