"""A fake Twilio REST API (2010-04-01) on loopback, for tests.

Point ``TWILIO_API_BASE`` at ``FakeTwilioAPI.base_url`` and the real twilio-python
client (see workers/twilio_client.py) talks to it.  It emulates Messages, Calls,
Queues and Queue Members with Twilio's response shapes and error bodies, and:

* checks every request against the part of Twilio's published OpenAPI description
  that the service uses (the "contract", committed in twilio_spec/ and derived by
  twilio_spec/derive.py) plus a few documented rules it cannot express; an
  off-spec request is answered 400 and kept in ``contract_violations``.  This is
  stricter than Twilio, which ignores unknown parameters (warning 20001): here
  they are bugs;
* records every request and every Message/Call (thread-safe snapshots);
* injects faults: Twilio errors, server errors and timeouts (``fail_next`` etc.);
* builds status-callback parameters (``deliver_status``, ``call_status_params``)
  for tests to POST, signed, to the app.  It never calls the app itself.

Calls, queues and queue members also come into being through TwiML (inbound calls,
``<Enqueue>``) that this fake never sees.  By default (``adopt_unknown=True``) a
well-formed SID it has not seen is therefore treated as existing: an in-progress
inbound call, a queue, or that call waiting in that queue.  With
``adopt_unknown=False`` such requests get Twilio's 404; use ``add_inbound_call``
and ``enqueue`` to set the scene.
"""
from __future__ import annotations

import base64
import functools
import hmac
import json
import re
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from jsonschema import Draft7Validator

API_VERSION = "2010-04-01"
ACCOUNT_PREFIX = f"/{API_VERSION}/Accounts/{{AccountSid}}/"
SPEC_PATH = Path(__file__).resolve().parent / "twilio_spec" / "twilio_rest_subset.json"

# code -> (HTTP status, message as Twilio words it; may use {To} and {path})
ERRORS: dict[int, tuple[int, str]] = {
    20001: (400, "Unknown or invalid parameters"),
    20003: (401, "Authenticate"),
    20004: (405, "Method not allowed"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    20503: (503, "Service is unavailable. Please try again"),
    21200: (400, "Url, Twiml or ApplicationSid is required"),
    21201: (400, "No 'To' number is specified"),
    21211: (400, "The 'To' number {To} is not a valid phone number."),
    21213: (400, "No 'From' number is specified"),
    21220: (400, "Call is not in-progress. Cannot redirect."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}
DEFAULT_CODE_FOR_STATUS = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


class TwilioError(Exception):
    """A Twilio error response: ``{"code", "message", "more_info", "status"}``."""

    def __init__(self, code: int | None, status: int | None = None, message: str | None = None,
                 **details: str):
        default_status, default_message = ERRORS.get(code, (500, "Error"))
        self.code, self.status = code, status or default_status
        self.message = message or default_message.format_map(_Blank(details))
        super().__init__(self.message)

    def body(self) -> dict:
        more_info = f"https://www.twilio.com/docs/errors/{self.code}" if self.code else None
        return {"code": self.code, "message": self.message, "more_info": more_info,
                "status": self.status}


class _Blank(dict):
    def __missing__(self, key):
        return ""


# ---------------------------------------------------------------- the contract

@dataclass(frozen=True)
class Param:
    name: str
    schema: dict
    validator: Draft7Validator

    def problems(self, values: list[str]) -> list[str]:
        if self.schema.get("type") == "array":
            value = [_coerce(v, self.schema.get("items", {})) for v in values]
        elif len(values) > 1:
            return [f"{self.name} given {len(values)} times but is not an array"]
        else:
            value = _coerce(values[0], self.schema)
        return [f"{self.name}: {e.message}" for e in self.validator.iter_errors(value)]


@dataclass(frozen=True)
class Operation:
    template: str              # e.g. /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json
    method: str
    path_params: dict[str, Param]
    query_params: dict[str, Param]
    form_params: dict[str, Param]
    required_form: frozenset[str]

    @property
    def route(self) -> str:     # e.g. "Calls/{Sid}.json"
        return self.template.removeprefix(ACCOUNT_PREFIX)

    @property
    def resource(self) -> str:  # last literal segment, e.g. "Calls" or "Members"
        literals = [s for s in self.route.removesuffix(".json").split("/") if not s.startswith("{")]
        return literals[-1]


class Contract:
    """Index of the OpenAPI description: path matching and parameter checks."""

    def __init__(self, spec: dict):
        schemas = spec["components"]["schemas"]
        self.enums = {name: s["enum"] for name, s in schemas.items() if "enum" in s}
        # Fewest variables first, so a literal segment beats a {Variable}.
        templates = sorted(spec["paths"], key=lambda t: t.count("{"))
        self._paths = [(_template_regex(t), t) for t in templates]
        self._operations = {
            (template, method.upper()): _operation(template, method, op, schemas)
            for template, item in spec["paths"].items()
            for method, op in item.items() if isinstance(op, dict) and "responses" in op
        }

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        for regex, template in self._paths:
            m = regex.fullmatch(path)
            if m:
                return template, m.groupdict()
        return None

    def operation(self, template: str, method: str) -> Operation | None:
        return self._operations.get((template, method))

    @staticmethod
    def check(op: Operation, path_vars: dict, query: dict, form: dict) -> list[str]:
        """Problems with a request, as readable sentences; [] when it is on-spec."""
        problems = _check(op.path_params, {k: [v] for k, v in path_vars.items()}, set(), "path")
        problems += _check(op.query_params, query, set(), "query")
        return problems + _check(op.form_params, form, op.required_form, "form")


def load_contract(path: str | Path = SPEC_PATH) -> Contract:
    """The indexed spec, loaded once per process and file."""
    return _load_contract(Path(path).resolve())


@functools.lru_cache(maxsize=None)
def _load_contract(path: Path) -> Contract:
    with open(path, encoding="utf-8") as f:
        return Contract(json.load(f))


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+?)"
                              for i, p in enumerate(parts)))


def _operation(template: str, method: str, op: dict, schemas: dict) -> Operation:
    by_location: dict[str, dict[str, Param]] = {"path": {}, "query": {}}
    for p in op.get("parameters", []):
        by_location[p["in"]][p["name"]] = _param(p["name"], p["schema"], schemas)
    content = op.get("requestBody", {}).get("content", {})
    body = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
    form = {name: _param(name, s, schemas) for name, s in body.get("properties", {}).items()}
    return Operation(template, method.upper(), by_location["path"], by_location["query"], form,
                     frozenset(body.get("required", [])))


def _param(name: str, schema: dict, schemas: dict) -> Param:
    schema = _resolve(schema, schemas)
    return Param(name, schema, Draft7Validator(schema))


def _resolve(node: Any, schemas: dict) -> Any:
    """Inline ``#/components/schemas/...`` references (in parameters they are small enums)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(schemas[node["$ref"].rsplit("/", 1)[1]], schemas)
        return {k: _resolve(v, schemas) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, schemas) for v in node]
    return node


def _coerce(raw: str, schema: dict) -> Any:
    """Form and query values arrive as strings; the spec types them."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    return raw


def _check(known: dict[str, Param], given: dict[str, list[str]], required: set, where: str) -> list[str]:
    problems = [f"unknown {where} parameter {name!r}" for name in given if name not in known]
    problems += [f"missing required {where} parameter {name!r}" for name in sorted(required - set(given))]
    for name, values in given.items():
        if name in known:
            problems += known[name].problems(values)
    return problems


# Documented rules the description cannot express, and the code Twilio answers with.
def _documented_rules(op: Operation, form: dict) -> list[tuple[str, int]]:
    def none_of(*names):
        return not any(n in form for n in names)

    if (op.method, op.route) == ("POST", "Messages.json"):
        return [(text, code) for broken, text, code in [
            ("To" not in form, "missing required form parameter 'To'", 21604),
            (none_of("From", "MessagingServiceSid"), "From or MessagingServiceSid is required", 21603),
            (none_of("Body", "MediaUrl", "ContentSid"), "Body, MediaUrl or ContentSid is required", 21602),
            (len(_first(form, "Body", "")) > 1600, "Body is longer than 1600 characters", 21617),
        ] if broken]
    if (op.method, op.route) == ("POST", "Calls.json"):
        return [(text, code) for broken, text, code in [
            ("To" not in form, "missing required form parameter 'To'", 21201),
            ("From" not in form, "missing required form parameter 'From'", 21213),
            (none_of("Url", "Twiml", "ApplicationSid"), "Url, Twiml or ApplicationSid is required", 21200),
        ] if broken]
    return []


# ---------------------------------------------------------------- records and faults

@dataclass
class Resource:
    """A Message, Call or Queue: ``data`` is exactly what the API returns for it."""
    sid: str
    data: dict
    params: dict = field(default_factory=dict)    # form parameters it was created with
    origin: str = "api"                           # "api", "inbound" (helper) or "adopted"
    updates: list = field(default_factory=list)   # form parameters of each update

    def __getitem__(self, key):
        return self.data[key]

    def get(self, key, default=None):
        return self.data.get(key, default)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    status: int | None = None   # set once answered


@dataclass
class ContractViolation:
    method: str
    path: str
    form: dict[str, list[str]]
    problems: list[str]


@dataclass
class Fault:
    code: int | None
    status: int | None
    message: str | None
    on: str | None           # resource name ("Messages", "Calls", "Queues", "Members"); None: any
    method: str | None       # HTTP method; None: any
    to: str | None           # only requests with this To parameter
    remaining: int | None    # None: for ever
    delay: float = 0.0       # > 0: answer only after this many seconds (a client timeout)
    created: bool = False    # with delay: carry the request out anyway ("response lost")

    def matches(self, op: Operation, form: dict) -> bool:
        return ((self.on is None or self.on == op.resource)
                and (self.method is None or self.method == op.method)
                and (self.to is None or _first(form, "To") == self.to))

    def error(self, form: dict) -> TwilioError:
        return TwilioError(self.code, self.status, self.message, To=_first(form, "To", ""))


def _first(params: dict, name: str, default=None):
    return params.get(name, [default])[0]


def _sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def _now() -> str:
    """RFC 2822, as Twilio writes dates: 'Thu, 24 Aug 2023 05:01:45 +0000'."""
    return format_datetime(datetime.now(timezone.utc).replace(microsecond=0))


_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")


def _segments(body: str) -> int:
    """SMS segments: GSM-7 fits 160 (153 when split), anything else is UCS-2, 70 (67)."""
    single, multi = (160, 153) if set(body) <= _GSM7 else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // multi)


# ---------------------------------------------------------------- the fake

class FakeTwilioAPI:
    def __init__(self, account_sid: str, auth_token: str, *, adopt_unknown: bool = True,
                 spec_path: str | Path = SPEC_PATH):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.adopt_unknown = adopt_unknown
        self.contract = load_contract(spec_path)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle

    def start(self) -> "FakeTwilioAPI":
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-twilio-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes requests held by an injected timeout
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> "FakeTwilioAPI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget everything recorded and every fault (e.g. between tests)."""
        with self._lock:
            self._messages: list[Resource] = []
            self._calls: list[Resource] = []
            self._queues: list[Resource] = []
            self._members: dict[str, list[dict]] = {}   # queue sid -> waiting members, in order
            self._requests: list[RecordedRequest] = []
            self._violations: list[ContractViolation] = []
            self._dequeued: list[dict] = []
            self._faults: list[Fault] = []
            self._sequence: dict[str, int] = {}

    # -- what happened (snapshots, safe to read from any thread)

    @property
    def messages(self) -> list[Resource]:
        with self._lock:
            return list(self._messages)

    @property
    def calls(self) -> list[Resource]:
        with self._lock:
            return list(self._calls)

    @property
    def queues(self) -> list[Resource]:
        with self._lock:
            return list(self._queues)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def contract_violations(self) -> list[ContractViolation]:
        with self._lock:
            return list(self._violations)

    @property
    def dequeued(self) -> list[dict]:
        """Each dequeue: ``{"queue_sid", "call_sid", "url", "method"}``."""
        with self._lock:
            return list(self._dequeued)

    def messages_to(self, number: str) -> list[Resource]:
        return [m for m in self.messages if m["to"] == number]

    def calls_to(self, number: str) -> list[Resource]:
        return [c for c in self.calls if c["to"] == number]

    def message(self, sid: str) -> Resource:
        return self._existing(self._messages, sid)

    def call(self, sid: str) -> Resource:
        return self._existing(self._calls, sid)

    def members(self, queue_sid: str) -> list[dict]:
        """The calls waiting in a queue, front first, as the API shows them."""
        with self._lock:
            waiting = self._members.get(queue_sid, [])
            return [self._member_view(queue_sid, m, i) for i, m in enumerate(waiting)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
        """Poll until ``predicate()`` is truthy and return its value; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while not (result := predicate()):
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            time.sleep(interval)
        return result

    # -- fault injection

    def fail_next(self, n: int | None = 1, status: int | None = None, code: int | None = None,
                  message: str | None = None, *, on: str | None = None, to: str | None = None,
                  method: str | None = "POST") -> Fault:
        """Answer the next ``n`` matching requests (``None``: all of them) with a Twilio error.

        Give ``code`` (the status follows, e.g. 21610 -> 400) or ``status`` (the code
        follows, e.g. 503 -> 20503); neither means 429/20429.  ``on`` is a resource name
        ("Messages", "Calls", "Queues", "Members"), ``to`` a To parameter to match.
        """
        if status is None and code is None:
            code = 20429
        if code is None:
            code = DEFAULT_CODE_FOR_STATUS.get(status)
        return self._add_fault(Fault(code, status, message, on, method, to, n))

    def fail_always(self, code: int = 21610, *, to: str | None = None, on: str | None = "Messages",
                    status: int | None = None, message: str | None = None,
                    method: str | None = "POST") -> Fault:
        """A standing rule, e.g. a number that has replied STOP (21610)."""
        return self.fail_next(None, status, code, message, on=on, to=to, method=method)

    def timeout_next(self, n: int | None = 1, *, delay: float = 2.0, created: bool = False,
                     on: str | None = None, to: str | None = None, method: str | None = "POST") -> Fault:
        """Hold the next ``n`` matching requests for ``delay`` seconds (make it longer
        than the client's timeout).  ``created=True`` carries the request out first, as
        when Twilio created the message but the response was lost; otherwise nothing
        is created and a late 503 is sent."""
        return self._add_fault(Fault(20503, 503, None, on, method, to, n, delay=delay, created=created))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def _take_fault(self, op: Operation, form: dict) -> Fault | None:
        with self._lock:
            fault = next((f for f in self._faults if f.matches(op, form)), None)
            if fault and fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault

    # -- test helpers for what Twilio creates outside the REST API

    def add_inbound_call(self, from_: str | None, to: str | None, *, sid: str | None = None,
                         status: str = "in-progress", origin: str = "inbound") -> Resource:
        """A call someone made to a Twilio number (it reaches the app as a webhook)."""
        sid = sid or _sid("CA")
        call = Resource(sid, self._call_data(sid, from_, to, "inbound", status), origin=origin)
        call.data["start_time"] = call.data["date_created"]
        with self._lock:
            self._calls.append(call)
        return call

    def enqueue(self, call_sid: str, queue: str) -> dict:
        """What ``<Enqueue>queue</Enqueue>`` does: put the call at the back of the queue
        (a name or a QU sid), creating the queue if needed.  Returns the member."""
        with self._lock:
            target = self._queue(queue) or self._new_queue(queue, 100)
            if self._find(self._calls, call_sid) is None:
                self.add_inbound_call(None, None, sid=call_sid)
            return self._add_member(target.sid, call_sid)

    def hang_up(self, call_sid: str, duration: int | None = None) -> dict:
        """The caller hangs up: the call is completed and leaves any queue it waited in.
        Returns the status-callback parameters, for a test to POST, or to lose."""
        params = self.call_status_params(call_sid, "completed", duration)
        with self._lock:
            for waiting in self._members.values():
                waiting[:] = [m for m in waiting if m["call_sid"] != call_sid]
        return params

    def deliver_status(self, message_sid: str, status: str, error_code: int | None = None) -> dict:
        """Move a message to ``status``; return the form parameters Twilio would POST to
        its StatusCallback (the URL is in ``message(sid).params["StatusCallback"]``)."""
        self._require_enum("message_enum_status", status)
        with self._lock:
            msg = self.message(message_sid)
            msg.data.update(status=status, date_updated=_now(), error_code=error_code)
            if status in ("sent", "delivered") and not msg["date_sent"]:
                msg.data["date_sent"] = msg["date_updated"]
        params = {"AccountSid": self.account_sid, "ApiVersion": API_VERSION,
                  "MessageSid": message_sid, "SmsSid": message_sid,
                  "MessageStatus": status, "SmsStatus": status,
                  "From": msg["from"] or "", "To": msg["to"]}
        if msg["messaging_service_sid"]:
            params["MessagingServiceSid"] = msg["messaging_service_sid"]
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return params

    def call_status_params(self, call_sid: str, status: str, duration: int | None = None) -> dict:
        """Move a call to ``status``; return the form parameters Twilio would POST to
        its StatusCallback."""
        self._require_enum("call_enum_status", status)
        now = _now()
        with self._lock:
            call = self.call(call_sid)
            call.data.update(status=status, date_updated=now)
            if status == "in-progress":
                call.data["start_time"] = now
            if status in ("completed", "busy", "failed", "no-answer", "canceled"):
                call.data.update(end_time=now, duration=str(duration or 0))
            sequence = self._sequence[call_sid] = self._sequence.get(call_sid, -1) + 1
        params = {"AccountSid": self.account_sid, "ApiVersion": API_VERSION,
                  "CallSid": call_sid, "CallStatus": status, "Direction": call["direction"],
                  "From": call["from"] or "", "To": call["to"] or "",
                  "Caller": call["from"] or "", "Called": call["to"] or "",
                  "CallbackSource": "call-progress-events", "Timestamp": now,
                  "SequenceNumber": str(sequence)}
        if call["end_time"]:
            params["CallDuration"] = call["duration"]
        return params

    def _require_enum(self, schema_name: str, value: str) -> None:
        allowed = self.contract.enums[schema_name]
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {allowed}")

    # -- request handling

    def handle(self, method: str, path: str, headers, query: dict, form: dict) -> tuple[int, dict]:
        """Answer one request: (HTTP status, JSON body)."""
        request = RecordedRequest(method, path, query, form)
        with self._lock:
            self._requests.append(request)
        try:
            status, body = self._answer(request, headers)
        except TwilioError as error:
            status, body = error.status, error.body()
        except Exception:  # a bug in the fake: make it loud, answer like Twilio would
            traceback.print_exc()
            error = TwilioError(20500)
            status, body = error.status, error.body()
        request.status = status
        return status, body

    def _answer(self, request: RecordedRequest, headers) -> tuple[int, dict]:
        self._authenticate(headers)
        op, path_vars = self._operation(request)
        if path_vars.get("AccountSid") != self.account_sid:
            raise TwilioError(20003)
        fault = self._take_fault(op, request.form)
        if fault is None:
            return self._route(op, path_vars, request)
        if not fault.delay:
            raise fault.error(request.form)
        answer = self._route(op, path_vars, request) if fault.created else None
        self._stopping.wait(fault.delay)
        if answer is None:
            raise fault.error(request.form)
        return answer

    def _authenticate(self, headers) -> None:
        scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            user = password = ""
        if not (scheme.lower() == "basic" and user == self.account_sid
                and hmac.compare_digest(password.encode(), self.auth_token.encode())):
            raise TwilioError(20003)

    def _operation(self, request: RecordedRequest) -> tuple[Operation, dict]:
        """The spec's operation for a request; or record the violation and raise."""
        matched = self.contract.match(request.path)
        if matched is None:
            self._violation(request, ["path is not in the contract (twilio_spec/twilio_rest_subset.json)"])
            raise TwilioError(20404, path=request.path)
        template, path_vars = matched
        op = self.contract.operation(template, request.method)
        if op is None:
            self._violation(request, [f"{request.method} is not allowed on {template}"])
            raise TwilioError(20004)
        problems = self.contract.check(op, path_vars, request.query, request.form)
        rules = _documented_rules(op, request.form)
        problems += [text for text, _code in rules if text not in problems]
        if problems:
            self._violation(request, problems)
            if rules:  # Twilio's own code and words for the first broken rule
                raise TwilioError(rules[0][1])
            raise TwilioError(20001, message="Invalid request: " + "; ".join(problems))
        return op, path_vars

    def _violation(self, request: RecordedRequest, problems: list[str]) -> None:
        with self._lock:
            self._violations.append(ContractViolation(request.method, request.path, request.form, problems))

    def _route(self, op: Operation, path_vars: dict, request: RecordedRequest) -> tuple[int, dict]:
        handler = _ROUTES.get((op.method, op.route))
        if handler is None:
            raise TwilioError(20404, message=f"{op.method} {op.route} is not emulated by FakeTwilioAPI")
        with self._lock:
            return handler(self, path_vars, request)

    # -- Messages

    def _create_message(self, _vars, request) -> tuple[int, dict]:
        f = request.form
        sid, now = _sid("MM" if "MediaUrl" in f else "SM"), _now()
        service, body = _first(f, "MessagingServiceSid"), _first(f, "Body", "")
        data = {
            "account_sid": self.account_sid, "api_version": API_VERSION, "body": body,
            "date_created": now, "date_sent": None, "date_updated": now,
            "direction": "outbound-api", "error_code": None, "error_message": None,
            "from": _first(f, "From"), "messaging_service_sid": service,
            "num_media": str(len(f.get("MediaUrl", []))), "num_segments": str(_segments(body)),
            "price": None, "price_unit": None, "sid": sid,
            "status": "accepted" if service and "From" not in f else "queued",
            "subresource_uris": {"media": self._uri(f"Messages/{sid}/Media")},
            "to": _first(f, "To"), "uri": self._uri(f"Messages/{sid}"),
        }
        self._messages.append(Resource(sid, data, params=f))
        return 201, data

    def _fetch_message(self, path_vars, request) -> tuple[int, dict]:
        return 200, self._or_404(self._find(self._messages, path_vars["Sid"]), request).data

    def _list_messages(self, _vars, request) -> tuple[int, dict]:
        items = _filtered(self._messages, request.query, {"To": "to", "From": "from"})
        return 200, self._page("messages", items, request)

    # -- Calls

    def _create_call(self, _vars, request) -> tuple[int, dict]:
        f, sid = request.form, _sid("CA")
        data = self._call_data(sid, _first(f, "From"), _first(f, "To"), "outbound-api", "queued")
        self._calls.append(Resource(sid, data, params=f))
        return 201, data

    def _call_data(self, sid: str, from_: str | None, to: str | None, direction: str, status: str) -> dict:
        now = _now()
        subresources = {"notifications": "Notifications", "recordings": "Recordings",
                        "payments": "Payments", "events": "Events", "siprec": "Siprec",
                        "streams": "Streams", "transcriptions": "Transcriptions",
                        "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
                        "user_defined_messages": "UserDefinedMessages"}
        return {
            "account_sid": self.account_sid, "answered_by": None, "api_version": API_VERSION,
            "caller_name": None, "date_created": now, "date_updated": now, "direction": direction,
            "duration": None, "end_time": None, "forwarded_from": None, "from": from_,
            "from_formatted": from_, "group_sid": None, "parent_call_sid": None,
            "phone_number_sid": None, "price": None, "price_unit": "USD", "queue_time": "0",
            "sid": sid, "start_time": None, "status": status,
            "subresource_uris": {key: self._uri(f"Calls/{sid}/{name}") for key, name in subresources.items()},
            "to": to, "to_formatted": to, "trunk_sid": None, "uri": self._uri(f"Calls/{sid}"),
        }

    def _fetch_call(self, path_vars, request) -> tuple[int, dict]:
        return 200, self._call_or_404(path_vars["Sid"], request).data

    def _list_calls(self, _vars, request) -> tuple[int, dict]:
        filters = {"To": "to", "From": "from", "Status": "status", "ParentCallSid": "parent_call_sid"}
        return 200, self._page("calls", _filtered(self._calls, request.query, filters), request)

    def _update_call(self, path_vars, request) -> tuple[int, dict]:
        call, f = self._call_or_404(path_vars["Sid"], request), request.form
        live = call["status"] in ("queued", "ringing", "in-progress")
        if ("Url" in f or "Twiml" in f) and not live:
            raise TwilioError(21220)
        # Twilio: "canceled" only ends calls not yet answered; "completed" ends any live call.
        status = _first(f, "Status")
        unanswered = call["status"] in ("queued", "ringing")
        if (status == "completed" and live) or (status == "canceled" and unanswered):
            call.data.update(status=status, end_time=_now(), duration=call["duration"] or "0")
            for waiting in self._members.values():
                waiting[:] = [m for m in waiting if m["call_sid"] != call.sid]
        call.updates.append(f)
        call.data["date_updated"] = _now()
        return 200, call.data

    def _call_or_404(self, sid: str, request) -> Resource:
        call = self._find(self._calls, sid)
        if call is None and self.adopt_unknown:
            call = self.add_inbound_call(None, None, sid=sid, origin="adopted")
        return self._or_404(call, request)

    # -- Queues and members

    def _create_queue(self, _vars, request) -> tuple[int, dict]:
        f = request.form
        queue = self._new_queue(_first(f, "FriendlyName"), int(_first(f, "MaxSize", 100)))
        queue.params = f
        return 201, self._queue_view(queue)

    def _new_queue(self, name: str, max_size: int, sid: str | None = None) -> Resource:
        sid, now = sid or _sid("QU"), _now()
        data = {"account_sid": self.account_sid, "average_wait_time": 0, "current_size": 0,
                "date_created": now, "date_updated": now, "friendly_name": name,
                "max_size": max_size, "sid": sid, "uri": self._uri(f"Queues/{sid}")}
        queue = Resource(sid, data)
        self._queues.append(queue)
        self._members[sid] = []
        return queue

    def _list_queues(self, _vars, request) -> tuple[int, dict]:
        for queue in self._queues:
            self._queue_view(queue)  # refresh current_size and average_wait_time
        return 200, self._page("queues", self._queues, request)

    def _fetch_queue(self, path_vars, request) -> tuple[int, dict]:
        return 200, self._queue_view(self._queue_or_404(path_vars["Sid"], request))

    def _list_members(self, path_vars, request) -> tuple[int, dict]:
        queue = self._queue_or_404(path_vars["QueueSid"], request)
        members = [Resource(m["call_sid"], m) for m in self.members(queue.sid)]
        return 200, self._page("queue_members", members, request, newest_first=False)

    def _fetch_member(self, path_vars, request) -> tuple[int, dict]:
        queue_sid, index = self._member_index(path_vars, request)
        return 200, self._member_view(queue_sid, self._members[queue_sid][index], index)

    def _dequeue_member(self, path_vars, request) -> tuple[int, dict]:
        """Twilio takes the call out of the queue and runs the TwiML at Url on it."""
        queue_sid, index = self._member_index(path_vars, request)
        member = self._members[queue_sid].pop(index)
        self._dequeued.append({"queue_sid": queue_sid, "call_sid": member["call_sid"],
                               "url": _first(request.form, "Url"),
                               "method": _first(request.form, "Method", "POST")})
        return 200, self._member_view(queue_sid, member, index)

    def _member_index(self, path_vars: dict, request) -> tuple[str, int]:
        queue = self._queue_or_404(path_vars["QueueSid"], request)
        waiting, call_sid = self._members[queue.sid], path_vars["CallSid"]
        if call_sid == "Front" and waiting:
            return queue.sid, 0
        index = next((i for i, m in enumerate(waiting) if m["call_sid"] == call_sid), None)
        if index is None and self.adopt_unknown and call_sid.startswith("CA"):
            self._call_or_404(call_sid, request)
            self._add_member(queue.sid, call_sid)
            index = len(waiting) - 1
        if index is None:
            raise TwilioError(20404, path=request.path)
        return queue.sid, index

    def _add_member(self, queue_sid: str, call_sid: str) -> dict:
        waiting = self._members[queue_sid]
        waiting.append({"call_sid": call_sid, "date_enqueued": _now(), "since": time.monotonic()})
        return self._member_view(queue_sid, waiting[-1], len(waiting) - 1)

    def _queue_or_404(self, sid: str, request) -> Resource:
        queue = self._queue(sid)
        if queue is None and self.adopt_unknown and sid.startswith("QU"):
            queue = self._new_queue(sid, 100, sid=sid)
            queue.origin = "adopted"
        return self._or_404(queue, request)

    def _queue(self, sid_or_name: str) -> Resource | None:
        return next((q for q in self._queues if sid_or_name in (q.sid, q["friendly_name"])), None)

    def _queue_view(self, queue: Resource) -> dict:
        waits = [time.monotonic() - m["since"] for m in self._members.get(queue.sid, [])]
        average = int(sum(waits) / len(waits)) if waits else 0
        queue.data.update(current_size=len(waits), average_wait_time=average)
        return queue.data

    def _member_view(self, queue_sid: str, member: dict, index: int) -> dict:
        return {"queue_sid": queue_sid, "call_sid": member["call_sid"],
                "date_enqueued": member["date_enqueued"], "position": index + 1,
                "uri": self._uri(f"Queues/{queue_sid}/Members/{member['call_sid']}"),
                "wait_time": int(time.monotonic() - member["since"])}

    # -- shared bits

    def _find(self, items: list[Resource], sid: str) -> Resource | None:
        with self._lock:
            return next((r for r in items if r.sid == sid), None)

    def _existing(self, items: list[Resource], sid: str) -> Resource:
        found = self._find(items, sid)
        if found is None:
            raise KeyError(f"FakeTwilioAPI has no {sid}")
        return found

    @staticmethod
    def _or_404(resource: Resource | None, request: RecordedRequest) -> Resource:
        if resource is None:
            raise TwilioError(20404, path=request.path)
        return resource

    def _uri(self, rest: str) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/{rest}.json"

    @staticmethod
    def _page(key: str, items: list[Resource], request: RecordedRequest, newest_first: bool = True) -> dict:
        """One page of a list, shaped like Twilio's list responses."""
        size = int(_first(request.query, "PageSize", 50))
        page = int(_first(request.query, "Page", 0))
        filters = {k: v for k, v in request.query.items() if k not in ("Page", "PageSize", "PageToken")}
        ordered = list(reversed(items)) if newest_first else items
        start = page * size
        chunk = ordered[start:start + size]

        def uri(number: int) -> str:
            query = urlencode({**filters, "PageSize": [size], "Page": [number]}, doseq=True)
            return f"{request.path}?{query}"

        more = start + size < len(items)
        return {key: [r.data for r in chunk], "uri": uri(page), "first_page_uri": uri(0),
                "next_page_uri": f"{uri(page + 1)}&PageToken=PA{uuid.uuid4().hex}" if more else None,
                "previous_page_uri": uri(page - 1) if page else None,
                "page": page, "page_size": size, "start": start, "end": start + max(len(chunk) - 1, 0)}


_ROUTES: dict[tuple[str, str], Callable] = {
    ("POST", "Messages.json"): FakeTwilioAPI._create_message,
    ("GET", "Messages.json"): FakeTwilioAPI._list_messages,
    ("GET", "Messages/{Sid}.json"): FakeTwilioAPI._fetch_message,
    ("POST", "Calls.json"): FakeTwilioAPI._create_call,
    ("GET", "Calls.json"): FakeTwilioAPI._list_calls,
    ("GET", "Calls/{Sid}.json"): FakeTwilioAPI._fetch_call,
    ("POST", "Calls/{Sid}.json"): FakeTwilioAPI._update_call,
    ("POST", "Queues.json"): FakeTwilioAPI._create_queue,
    ("GET", "Queues.json"): FakeTwilioAPI._list_queues,
    ("GET", "Queues/{Sid}.json"): FakeTwilioAPI._fetch_queue,
    ("GET", "Queues/{QueueSid}/Members.json"): FakeTwilioAPI._list_members,
    ("GET", "Queues/{QueueSid}/Members/{CallSid}.json"): FakeTwilioAPI._fetch_member,
    ("POST", "Queues/{QueueSid}/Members/{CallSid}.json"): FakeTwilioAPI._dequeue_member,
}


def _filtered(items: list[Resource], query: dict, filters: dict[str, str]) -> list[Resource]:
    """Items whose fields equal every list filter given (query parameter -> field)."""
    given = {field_: query[param][0] for param, field_ in filters.items() if param in query}
    return [r for r in items if all(r.get(k) == v for k, v in given.items())]


def _handler_class(fake: FakeTwilioAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            # parse_qs keeps repeated keys as lists: that is how Twilio sends arrays.
            form = parse_qs(raw, keep_blank_values=True)
            query = parse_qs(url.query, keep_blank_values=True)
            self._reply(*fake.handle(self.command, url.path, self.headers, query, form))

        do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

        def _reply(self, status: int, body: dict):
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Twilio-Request-Id", _sid("RQ"))
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (an injected timeout): nothing to tell it

        def log_message(self, *args):
            pass  # keep test output quiet; fake.requests is the log

    return Handler
