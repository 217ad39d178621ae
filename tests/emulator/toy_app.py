"""A tiny Twilio-facing Flask app for testing the emulator itself.

Each test installs its own TwiML per path; the app checks signatures the way the real
desk does (PUBLIC_BASE_URL + path + query, with twilio's RequestValidator) and keeps
every request it accepted, so tests can check exactly what the emulator sent.

    toy = ToyApp(auth_token=TOKEN, public_base_url=BASE)
    toy.route("/ivr/voice", lambda hit: VoiceResponse().say("Hello"))
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, abort, request
from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml import TwiML


@dataclass(frozen=True)
class Hit:
    """One request the toy app accepted."""
    method: str
    path: str  # without the query string
    query: str
    params: dict[str, str]  # the form for POST, the query for GET
    headers: dict[str, str]


Handler = Callable[[Hit], object]


class ToyApp:
    def __init__(self, *, auth_token: str, public_base_url: str, shared_key: str | None = None):
        self.auth_token = auth_token
        self.public_base_url = public_base_url.rstrip("/")
        self.shared_key = shared_key
        self.handlers: dict[str, Handler] = {}
        self.hits: list[Hit] = []
        self.rejected = 0
        self.flask = Flask(__name__)
        self.flask.add_url_rule("/<path:path>", "webhook", self._webhook, methods=["GET", "POST"])

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests to ``path`` with ``handler(hit)``: a VoiceResponse or
        MessagingResponse (sent as text/xml), or any Flask response for error cases."""
        self.handlers[path] = handler

    def hits_to(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    def test_client(self):
        return self.flask.test_client()

    def _webhook(self, path: str):
        if not self._signature_is_valid():
            self.rejected += 1
            abort(403)
        hit = Hit(request.method, request.path, request.query_string.decode(),
                  (request.form if request.method == "POST" else request.args).to_dict(),
                  dict(request.headers))
        self.hits.append(hit)
        handler = self.handlers.get(request.path) or abort(404)
        result = handler(hit)
        if isinstance(result, TwiML):
            return Response(str(result), mimetype="text/xml")
        return result

    def _signature_is_valid(self) -> bool:
        query = request.query_string.decode()
        url = self.public_base_url + request.path + (f"?{query}" if query else "")
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        secret = self.shared_key if algorithm != HMAC_SHA1 and self.shared_key else self.auth_token
        params = request.form if request.method == "POST" else {}
        return RequestValidator(secret).validate(
            url, params, request.headers.get(SIGNATURE_HEADER, ""), algorithm)
