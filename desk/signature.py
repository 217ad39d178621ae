"""Every Twilio-facing route is wrapped in ``twilio_webhook``: a request without a valid
``X-Twilio-Signature`` gets 403 before any handler code runs.

Signatures are checked against ``PUBLIC_BASE_URL`` + the path and query Twilio asked
for, because behind a TLS-terminating proxy the URL Flask sees (http, internal host)
is not the one Twilio signed.

A signed request can still carry anything (a leaked auth token, a fuzzing test), so
once the signature holds, every ``…Sid`` parameter not of a SID's documented shape is
dropped before the view sees it: no odd value reaches a column or a log line.  A view
that cannot work without its SID answers 400 when it finds none.
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
from werkzeug.datastructures import ImmutableMultiDict

log = logging.getLogger(__name__)

# Endpoints registered through the decorator; the route-inventory test compares this
# with the app's url_map so a new Twilio route cannot forget the check.
SIGNED_ENDPOINTS: set[str] = set()


SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")  # as Twilio documents it: CA, SM, AC, QU, RE … and 32 hex
SID_PARAMETER = re.compile(r"[A-Za-z]{0,40}Sid")  # CallSid, MessageSid, DialCallSid, DequeingCallSid …


def twilio_sid(value: str | None) -> str | None:
    """VALUE if it has the shape of a Twilio SID, else None."""
    value = (value or "").strip()
    return value if SID.fullmatch(value) else None


def _without_odd_sids(values):
    """VALUES less the SID parameters of another shape, and their names (None, [] if all are fine)."""
    odd = [name for name, value in values.items(multi=True) if SID_PARAMETER.fullmatch(name)
           and not SID.fullmatch(value)]
    if not odd:
        return None, []
    return ImmutableMultiDict([(k, v) for k, v in values.items(multi=True) if k not in odd]), odd


def drop_odd_sids() -> None:
    """Take SID parameters of another shape out of this request's form and query."""
    form, odd_form = _without_odd_sids(request.form)
    args, odd_args = _without_odd_sids(request.args)
    if form is not None:
        request.form = form
    if args is not None:
        request.args = args
    if odd_form or odd_args:
        request.__dict__.pop("values", None)  # built from the two above
        # the names only: they matched SID_PARAMETER, so they are plain letters
        log.warning("dropped malformed Twilio identifiers %s on %s", sorted(set(odd_form + odd_args)),
                    request.endpoint)


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
    """Reject unsigned or wrongly signed requests with 403; drop odd SIDs from the rest."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not is_valid_twilio_request():
            log.warning("rejected unsigned webhook %s %s", request.method, request.path)
            abort(403)
        drop_odd_sids()
        return view(*args, **kwargs)

    wrapper.twilio_signed = True
    return wrapper
