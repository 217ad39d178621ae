"""/metrics for Prometheus, and the per-request counting behind it.

Off (404) unless ``METRICS_TOKEN`` is set; then the scrape must send it as a bearer
token.  Counters come from every process through ``PROMETHEUS_MULTIPROC_DIR`` when it is
set (desk/metrics.py); the gauges are read from the database and Redis now."""
from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, abort, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from desk.metrics import HTTP_LATENCY, HTTP_REQUESTS, SMS_OUTBOUND
from models.outbox import MessageStatus
from ops.collector import DeskCollector

bp = Blueprint("ops_scrape", __name__)
# The probes and the scrape itself would outnumber the webhooks in the counts.
UNCOUNTED = {"/healthz", "/readyz", "/metrics"}
# What a send job can finish a text as: listed at 0 from the start, so a rule on the
# first failure sees an increase rather than a new series.
FINISHED = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SUPPRESSED, MessageStatus.OPTED_OUT,
            MessageStatus.INVALID_NUMBER)


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return "a bearer token is needed\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    body = generate_latest(_Scrape(DeskCollector(current_app.config)))
    # the classic text format, which every Prometheus reads (the names are all plain ones)
    return body, 200, {"Content-Type": CONTENT_TYPE_PLAIN_0_0_4, "Cache-Control": "no-store"}


class _Scrape:
    """Counters (every process's, when there are several) and the desk's gauges, read now."""

    def __init__(self, desk: DeskCollector):
        self.desk = desk

    def collect(self):
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            yield from registry.collect()
        else:
            yield from REGISTRY.collect()
        yield from self.desk.collect()


def _started() -> None:
    g.ops_started = time.perf_counter()


def _counted(response):
    rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
    if rule not in UNCOUNTED:
        HTTP_REQUESTS.labels(rule, request.method, str(response.status_code)).inc()
        if "ops_started" in g:
            HTTP_LATENCY.labels(rule).observe(time.perf_counter() - g.ops_started)
    return response


def init_app(app) -> None:
    for status in FINISHED:
        SMS_OUTBOUND.labels(status.value)
    app.before_request(_started)
    app.after_request(_counted)
