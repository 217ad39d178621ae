"""Plumbing for the JSON API under /api/v1: bearer tokens, JSON errors, request
validation with pydantic, and the OpenAPI document every endpoint adds itself to."""
from __future__ import annotations

import functools
from datetime import timedelta
from typing import TypeVar

from flask import Blueprint, abort, current_app, g, jsonify, request
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from flows.phone import InvalidPhone, to_e164
from models.db import session, utcnow
from models.tokens import SCOPES, ApiToken, hash_token
from services.audit_log import api_actor, record

M = TypeVar("M", bound=BaseModel)

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {"title": "Victim Focus Desk API", "version": "1.0.0",
             "description": "Case-system integration and reporting for the Victim Focus Desk."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {},
    "components": {
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "a token from `flask --app wsgi api-token create` or the admins' console, "
                           "with scopes: " + "; ".join(f"{name}: {what}" for name, what in SCOPES.items())}},
        "schemas": {"Error": {
            "type": "object", "required": ["error"],
            "description": "every error: what went wrong, and for a bad field or parameter, which",
            "properties": {
                "error": {"type": "string", "description": "one line, naming the fields at fault"},
                "details": {"type": "array", "description": "one entry per field or parameter at fault",
                            "items": {"type": "object", "required": ["field", "problem"], "properties": {
                                "field": {"type": "string",
                                          "description": "dotted path of the field, e.g. contact.sms_allowed"},
                                "problem": {"type": "string"}}}}}}},
    },
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: list | None = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


def error_response(status: int, message: str, details: list | None = None):
    body = {"error": message}
    if details:
        body["details"] = details
    return jsonify(body), status


def require_token(scope: str):
    """401 unless the request carries a live bearer token, 403 unless it has SCOPE.
    A request that succeeds is written to the audit log under the token's name: the
    view may name what it touched in ``g.audit_subject`` (default: the path)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            row = _live_token()
            if scope not in row.scope_list():
                raise ApiError(403, f"this token lacks the scope {scope}",
                               [{"field": "Authorization", "problem": f"the token needs the scope {scope}"}])
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code < 400:
                query = request.query_string.decode("utf-8", "replace")
                record(api_actor(row.name), f"api_{view.__name__}",
                       g.get("audit_subject") or request.path.removeprefix("/api/v1/"), query or None)
            return response

        return wrapper

    return decorate


def _live_token() -> ApiToken:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "a bearer token is required (Authorization: Bearer <token>)")
    row = session().exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()))).first()
    if row is None or row.revoked_at is not None:
        raise ApiError(401, "the bearer token is not valid")
    now = utcnow()
    if row.expires_at is not None and now >= row.expires_at:
        raise ApiError(401, f"the bearer token expired at {row.expires_at.isoformat()}")
    g.api_token_name = row.name
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now  # coarse, so a busy client doesn't write per request
        session().add(row)
        session().commit()
    return row


def victim_phone(raw: str | None) -> str:
    """RAW as E.164, or a 422 naming ``victim_phone``."""
    try:
        return to_e164(raw)
    except InvalidPhone as exc:
        raise ApiError(422, f"victim_phone: {exc}", [{"field": "victim_phone", "problem": str(exc)}]) from None


def parse_body(model: type[M]) -> M:
    """The JSON body as MODEL, or a 4xx that says which field is wrong."""
    if not request.is_json:
        raise ApiError(415, "send a JSON body with Content-Type: application/json")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # thousands of nested brackets: not a body we will read
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return _validate(model, data, "invalid fields: ")


def parse_query(model: type[M]) -> M:
    """The query string as MODEL, or a 400 that names each bad parameter."""
    return _validate(model, request.args.to_dict(), "invalid query parameters: ", status=400)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_nul(v) for v in value)


def _with_nul(data: dict) -> list[str]:
    return [str(key) for key, value in data.items() if _has_nul(key) or _has_nul(value)]


def _validate(model: type[M], data: dict, problem: str, status: int = 422) -> M:
    if _has_nul(data):  # no text column (PostgreSQL's least of all) can hold one
        raise ApiError(status, problem + "a NUL character (\\u0000) is not allowed in text",
                       [{"field": next(iter(_with_nul(data)), "query"), "problem": "contains a NUL character"}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]) or "query", "problem": e["msg"]}
                   for e in exc.errors()]
        raise ApiError(status, problem + ", ".join(d["field"] for d in details), details) from None


def document(path: str, method: str, summary: str, *, scope: str, body: type[BaseModel] | None = None,
             responses: dict[int, str], params: list[dict] | None = None,
             bodies: dict[int, type[BaseModel]] | None = None, media: dict[int, str] | None = None) -> None:
    """Add one operation, which needs a token with SCOPE, to the OpenAPI document;
    BODIES gives the schema of a success response's JSON body (by status), MEDIA the
    media type of one that is not JSON (an image)."""
    if body is not None:  # parse_body's answers, for every operation that takes JSON
        responses = {400: "the body is not a JSON object", 413: "the body is too large",
                     415: "the body is not sent as application/json", **responses}
    if any(p["in"] == "query" for p in params or []):  # parse_query's answer
        responses = {400: "invalid query parameters (details name each one)", **responses}
    responses = {**responses, 401: "no valid token, or it has expired",
                 403: f"the token lacks the scope {scope}"}
    op: dict = {"summary": summary, "responses": {
        str(code): {"description": text, "content": {media[code]: {"schema": {"type": "string"}}}}
        if media and code in media
        else {"description": text, "content": {"application/json": {"schema": _schema(bodies, code)}}}
        if code < 400 else {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, text in responses.items()}}
    if body is not None:
        schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            OPENAPI["components"]["schemas"][name] = sub
        OPENAPI["components"]["schemas"][body.__name__] = schema
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body.__name__}"}}}}
    if params:
        op["parameters"] = params
    op["security"] = [{"bearer": [scope]}]
    OPENAPI["paths"].setdefault(path, {})[method.lower()] = op


def _add_schema(model: type[BaseModel], mode: str = "validation") -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
    for name, sub in schema.pop("$defs", {}).items():
        OPENAPI["components"]["schemas"][name] = sub
    OPENAPI["components"]["schemas"][model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _schema(bodies: dict[int, type[BaseModel]] | None, code: int) -> dict:
    if bodies and code in bodies:
        return _add_schema(bodies[code], mode="serialization")
    return {"type": "object"}


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


class KeyInt(IntegerConverter):
    """``<int:…>`` in every URL of the app: an id too big for an INTEGER key is no
    row (404), not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["int"] = KeyInt  # before the blueprints' rules are added
    app.register_blueprint(bp)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # JSON for API clients; Twilio routes get the plain default page
        if request.path.startswith("/api/"):
            return error_response(exc.code or 500, exc.description or exc.name)
        return exc


def not_found(what: str):
    abort(404, description=f"{what} not found")


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def sometimes(description: str):
    """An answer's key that is left out (never null) unless DESCRIPTION's condition holds."""
    return Field(default=None, description=description, json_schema_extra=_no_default)
