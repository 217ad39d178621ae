"""Every Twilio-facing route is wrapped in ``twilio_webhook``: a request without a valid
``X-Twilio-Signature`` gets 403 before any handler code runs.

Signatures are checked against ``PUBLIC_BASE_URL`` + the path and query Twilio asked
for, because behind a TLS-terminating proxy the URL Flask sees (http, internal host)
is not the one Twilio signed.
"""
from __future__ import annotations

import functools
import logging
import re

from flask import abort, current_app, request
from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)

# Endpoints registered through the decorator; the route-inventory test compares this
# with the app's url_map so a new Twilio route cannot forget the check.
SIGNED_ENDPOINTS: set[str] = set()


SID = re.compile(r"[A-Za-z0-9]{2,34}")  # Twilio's: two letters and 32 hex digits


def twilio_sid(value: str | None) -> str | None:
    """VALUE if it has the shape of a Twilio SID, else None.  A signed request can
    still carry anything; this keeps odd values out of SID columns (34 characters)."""
    value = (value or "").strip()
    return value if SID.fullmatch(value) else None


def signed_url() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url
    query = request.query_string.decode()
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def is_valid_twilio_request() -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    params = _signed_params()
    if not signature or params is None:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    secret = current_app.config["TWILIO_AUTH_TOKEN"]
    if algorithm != HMAC_SHA1 and current_app.config.get("TWILIO_WEBHOOK_SHARED_KEY"):
        secret = current_app.config["TWILIO_WEBHOOK_SHARED_KEY"]
    return RequestValidator(secret).validate(signed_url(), params, signature, algorithm)


def _signed_params():
    """What the signature covers besides the URL.  A JSON body is not signed itself:
    Twilio puts its SHA-256 in the ``bodySHA256`` query parameter (inside the signed
    URL), and the validator checks the raw body against it when given the body as
    text.  JSON without that hash would be covered by nothing, so it is refused."""
    if request.method != "POST":
        return {}
    if "bodySHA256" in request.args:
        return request.get_data(as_text=True)
    if request.is_json:
        return None
    return request.form


def twilio_webhook(view):
    """Reject unsigned or wrongly signed requests with 403."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not is_valid_twilio_request():
            log.warning("rejected unsigned webhook %s %s", request.method, request.path)
            abort(403)
        return view(*args, **kwargs)

    wrapper.twilio_signed = True
    return wrapper
