"""The app's routes sorted by who may call them (Twilio, integrations, people), and
the paths and endpoints the security tests derive from them."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.security import twiml
from tests.support.service import PUBLIC_BASE_URL

# Every rule of the app is one of these; a rule in none of them fails the inventory
# test, so a new route cannot go unclassified (and so unprotected).
TWILIO_PREFIXES = ("/ivr/", "/sms/")  # webhooks: X-Twilio-Signature
API_PREFIX = "/api/v1/"                # integrations: bearer token
PUBLIC_API = {"/api/v1/openapi.json"}  # the API's description, no data
# Pages for people, each with protection of its own (a signed link, a staff login),
# or nothing to protect (the leaflet, static files).
# /email/unsubscribe/ and /forum/withdraw/ are the one-click links in survey emails and on
# the forum consent page: signed tokens, like /s/
PEOPLE_PREFIXES = ("/static/", "/survey-static/", "/s/", "/leaflet", "/console/", "/email/unsubscribe/",
                   "/forum/withdraw/")
# For the machines that run the service: probes that show no data, and metrics behind
# METRICS_TOKEN (tests/ops).
OPERATIONS = {"/healthz", "/readyz", "/metrics"}

# Routes Twilio only ever reports to: a 2xx with no TwiML is the right answer.
STATUS_CALLBACKS = {"/ivr/status", "/ivr/agent/status", "/sms/status",
                    "/ivr/agent/callback/victim-status", "/ivr/agent/callback/amd"}  # 204, Twilio ignores the reply
MESSAGING = {"/sms/inbound", "/sms/fallback"}


def rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def twilio_rules(app):
    return sorted((r for r in rules(app) if r.rule.startswith(TWILIO_PREFIXES)), key=lambda r: r.rule)


def api_rules(app):
    return sorted((r for r in rules(app) if r.rule.startswith(API_PREFIX) and r.rule not in PUBLIC_API),
                  key=lambda r: (r.rule, sorted(r.methods)))


def concrete(rule, value: str = "1") -> str:
    """A path for RULE with every variable filled in."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = int(value) if type(converter).__name__ in ("IntegerConverter", "NumberConverter") \
            else value
    return rule.build(values, append_unknown=False)[1]


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def with_query(path: str, query: dict | None) -> str:
    return path + ("?" + urlencode(query) if query else "")


def signed_endpoint(app, method: str, url: str) -> str | None:
    """The endpoint a URL given to Twilio reaches (None outside the app, e.g. hold
    music); AssertionError if it reaches nothing, or not with that method."""
    path = twiml.app_path(PUBLIC_BASE_URL, url)
    if path is None:
        return None
    adapter = app.url_map.bind(urlsplit(PUBLIC_BASE_URL).netloc, url_scheme="https")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method=method)
    except (NotFound, MethodNotAllowed) as exc:
        raise AssertionError(f"Twilio would be sent to {method} {url}: {type(exc).__name__}") from None
    return endpoint
