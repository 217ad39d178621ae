"""The service's counters and histograms (Prometheus), shared by the web processes and
the RQ workers.

With ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts: prometheus_client
reads it when imported) every process writes its values to its own file in that
folder, and ``/metrics`` adds them up, so several gunicorn workers and the RQ work
horses count as one service.  Without it each process counts for itself (development,
tests).  The gauges are not here: they are read from the database and Redis when
``/metrics`` is scraped (ops/collector.py).
"""
from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("desk_http_requests", "Web requests answered, by route template, method and status",
                        ["route", "method", "status"])
HTTP_LATENCY = Histogram("desk_http_request_duration_seconds", "Time to answer a web request, by route template",
                         ["route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15))
SMS_OUTBOUND = Counter("desk_sms_outbound", "Outbound texts finished by a send job, by final status", ["status"])
LOGIN_FAILURES = Counter("desk_console_login_failures", "Failed console logins (wrong password or unknown email)")
LOGIN_LOCKOUTS = Counter("desk_console_lockouts", "Console accounts (or unknown emails) locked after failed logins")
SMS_SENDING_PAUSED = Counter("desk_sms_sending_paused", "Times all sending paused: Twilio refused our own set-up "
                             "(token, account, sending number), by Twilio error code", ["code"])
