"""How Twilio delivers a webhook: the signature, the headers, the URL, and what it
expects back.  Shared by the fake caller (voice) and the fake texter (SMS).

Twilio signs the full URL it requested (query string included) followed by every POST
parameter, sorted by name, as name+value; HMAC-SHA1 with the Auth Token, base64.  With
a SharedKey configured it signs with HMAC-SHA256 and says so in
``X-Twilio-Webhooks-Signature-Settings``.  For GET it appends the parameters to the URL
and signs only the URL.
"""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import phonenumbers
from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
)

IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
SHARED_KEY_ID = "webhooks_sharedkey_emulator"
TWIML_TYPES = ("text/xml", "application/xml")


def sign(auth_token: str, url: str, params: dict | None = None, algorithm: str = HMAC_SHA1) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and POST parameters."""
    return RequestValidator(auth_token).compute_signature(url, params or {}, algorithm)


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix and 32 hex digits."""
    return prefix + uuid.uuid4().hex


def country_of(number: str) -> str:
    """ISO country of an E.164 number ("GB"), or "" for client:/sip: addresses."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return ""
    # Fictional test ranges (07700 900xxx) are not "valid" numbers, but Twilio still
    # reports the country of their calling code.
    region = phonenumbers.region_code_for_number(parsed)
    region = region or phonenumbers.region_code_for_country_code(parsed.country_code)
    return "" if region == phonenumbers.UNKNOWN_REGION else region


def absolute_url(public_base_url: str, path_or_url: str) -> str:
    """The URL Twilio would request for a path of the app (or an absolute URL as is)."""
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    if not path_or_url.startswith("/"):
        raise ValueError(f"expected an absolute URL or a path starting with /: {path_or_url!r}")
    return public_base_url.rstrip("/") + path_or_url


def app_path(public_base_url: str, url: str) -> str:
    """Path and query of ``url`` within the app served at ``public_base_url``."""
    base = public_base_url.rstrip("/")
    if url != base and not url.startswith((base + "/", base + "?")):
        raise AssertionError(
            f"Twilio would request {url}, which is not served by the app under test "
            f"(PUBLIC_BASE_URL={public_base_url})")
    return url[len(base):] or "/"


def form(params: dict) -> dict[str, str]:
    """Webhook parameters as Twilio sends them: strings, with unset ones left out."""
    return {name: str(value) for name, value in params.items() if value is not None}


def signature_headers(url: str, params: dict, auth_token: str, *,
                      algorithm: str | None = None, shared_key: str | None = None) -> dict[str, str]:
    if (algorithm or HMAC_SHA1).upper() == HMAC_SHA1:
        return {SIGNATURE_HEADER: sign(auth_token, url, params)}
    # Twilio signs with the SharedKey secret; fall back to the token like the app does.
    secret = shared_key or auth_token
    return {
        SIGNATURE_HEADER: sign(secret, url, params, algorithm),
        SIGNATURE_SETTINGS_HEADER: f"key={SHARED_KEY_ID},algorithm={algorithm}",
    }


def send_signed(client, method: str, public_base_url: str, path_or_url: str, params: dict,
                auth_token: str, *, algorithm: str | None = None, shared_key: str | None = None):
    """Deliver one webhook to a Flask test client exactly as Twilio would.

    POST: form-encoded body, signature over URL + params.  GET: params appended to the
    query string, signature over that URL alone.  Returns the test client's response.
    """
    method = method.upper()
    if method not in ("GET", "POST"):
        raise ValueError(f"Twilio only uses GET or POST, not {method}")
    url = absolute_url(public_base_url, path_or_url)
    params = form(params)
    if method == "GET":
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body, signed_params = None, {}
    else:
        body, signed_params = params, params
    headers = {
        IDEMPOTENCY_HEADER: str(uuid.uuid4()),
        "User-Agent": "TwilioProxy/1.1",
        "X-Home-Region": "us1",
        **signature_headers(url, signed_params, auth_token, algorithm=algorithm, shared_key=shared_key),
    }
    # base_url gives the request Twilio's scheme and Host (and any path prefix as the
    # script root), so request.url inside the app is the URL that was signed.
    return client.open(app_path(public_base_url, url), method=method, data=body,
                       headers=headers, base_url=public_base_url.rstrip("/"))


def post_signed(client, public_base_url: str, path_or_url: str, params: dict, auth_token: str, *,
                algorithm: str | None = None, shared_key: str | None = None):
    return send_signed(client, "POST", public_base_url, path_or_url, params, auth_token,
                       algorithm=algorithm, shared_key=shared_key)


def twiml_root(response, url: str) -> ET.Element:
    """The <Response> element of a webhook reply; AssertionError unless it is 200 + TwiML."""
    body = response.get_data(as_text=True)
    where = f"{response.request.method} {url} answered {response.status}"
    if response.status_code != 200:
        raise AssertionError(f"{where}; Twilio needs 200 with TwiML. Body:\n{body[:1000]}")
    if response.mimetype not in TWIML_TYPES:
        raise AssertionError(f"{where} with Content-Type {response.content_type!r}, "
                             f"not TwiML (text/xml). Body:\n{body[:1000]}")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise AssertionError(f"{where} with malformed XML ({exc}):\n{body[:1000]}") from None
    if root.tag != "Response":
        raise AssertionError(f"{where} with <{root.tag}> as the root element, not <Response>")
    return root


def check_accepted(response, url: str) -> None:
    """For requests whose reply Twilio ignores (status callbacks): any 2xx will do."""
    if not 200 <= response.status_code < 300:
        raise AssertionError(f"{response.request.method} {url} answered {response.status}:\n"
                             f"{response.get_data(as_text=True)[:1000]}")
