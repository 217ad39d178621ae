"""A fake phone caller: drives the app's voice webhooks through a Flask test client the
way Twilio would, and records what the caller heard.

    call = Caller(client, base_url="https://desk.example.org", auth_token=TOKEN)
    call.dial()                  # runs the TwiML until the caller must do something
    call.press("2")              # answers the Gather the call is waiting at
    call.wait_in_queue(polls=3)  # three turns of the queue's wait music
    call.answered_by_agent()
    assert "999" in call.heard()

The call runs verb by verb until it needs the caller: a <Gather>, a turn in a queue, the
outcome of a <Dial>, or a <Record>.  It then waits for the test's next action; an action
that does not fit (pressing keys while dialling out) fails the test at once.  ``finish()``
lets every remaining Gather time out.  Every request is signed; any reply other than 200
with TwiML raises AssertionError, and so does a call that makes more than
``max_requests`` requests (a TwiML loop).

Queues: after <Enqueue> the call waits between turns of the wait music.  Each turn
(``wait_in_queue``) requests waitUrl once and plays its TwiML; Twilio requests it again
whenever that TwiML runs out.  A Gather in the wait music is answered with silence while
the caller is only holding; after the last turn the call may be left at such a Gather, so
``press()`` then answers it.  ``answered_by_agent()`` and ``hang_up()`` end the wait.
"""
from __future__ import annotations

import inspect
import xml.etree.ElementTree as ET
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from emulator.signing import absolute_url, check_accepted, country_of, form, new_sid, send_signed, twiml_root

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
API_VERSION = "2010-04-01"
DTMF_KEYS = frozenset("0123456789*#")
DIAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
PROMPT_VERBS = ("Say", "Play", "Pause")
RECORDINGS_BASE = f"https://api.twilio.com/{API_VERSION}/Accounts"


class CallLoopError(AssertionError):
    """The call made more webhook requests than any real call should."""


# --- what happened on the call -------------------------------------------------------

@dataclass(frozen=True)
class Said:
    text: str
    language: str
    voice: str | None
    ssml: str = ""  # the <Say> element as sent (its SSML: say-as, lang, break)


@dataclass(frozen=True)
class Exchange:
    """One webhook request the emulator made, and the app's status code."""
    method: str
    url: str
    params: dict[str, str]
    status: int
    body: str = ""  # what the app answered (for tests that send a request again)


@dataclass(frozen=True)
class Document:
    url: str  # relative URLs in the document resolve against this
    verbs: list[ET.Element]


@dataclass
class QueueState:
    name: str
    sid: str
    entered_at: datetime
    position: int = 1
    size: int = 1
    avg_wait: int | None = None

    def seconds(self, now: datetime) -> int:
        return max(0, int((now - self.entered_at).total_seconds()))

    def wait_params(self, now: datetime) -> dict:
        waited = self.seconds(now)
        return {
            "QueueSid": self.sid,
            "QueuePosition": self.position,
            "QueueTime": waited,
            "AvgQueueTime": waited if self.avg_wait is None else self.avg_wait,
            "CurrentQueueSize": self.size,
            "MaxQueueSize": 100,
        }


@dataclass(frozen=True)
class GatherSpec:
    inputs: tuple[str, ...]
    num_digits: int | None
    finish_on_key: str
    action: str | None
    method: str
    action_on_empty_result: bool

    @classmethod
    def from_element(cls, el: ET.Element) -> GatherSpec:
        num_digits = el.get("numDigits")
        return cls(
            inputs=tuple((el.get("input") or "dtmf").split()),
            num_digits=int(num_digits) if num_digits else None,
            finish_on_key=el.get("finishOnKey", "#"),  # "" means no finish key
            action=el.get("action") or None,
            method=(el.get("method") or "POST").upper(),
            action_on_empty_result=el.get("actionOnEmptyResult", "").lower() == "true",
        )

    @property
    def label(self) -> str:
        return ",".join(self.inputs)


# --- what the caller can do ----------------------------------------------------------

@dataclass(frozen=True)
class Press:
    keys: str


@dataclass(frozen=True)
class Speak:
    text: str
    confidence: float


@dataclass(frozen=True)
class Silence:
    pass


@dataclass(frozen=True)
class HangUp:
    pass


@dataclass
class Hold:
    """Stay in the queue for ``remaining`` more turns of the wait music."""
    remaining: int
    position: int | None = None
    size: int | None = None
    avg_wait: int | None = None


@dataclass(frozen=True)
class AgentAnswers:
    pass


@dataclass(frozen=True)
class DialOutcome:
    status: str
    duration: int


@dataclass(frozen=True)
class Recording:
    seconds: int
    finish_key: str | None
    then_hang_up: bool


Action = Press | Speak | Silence | HangUp | Hold | AgentAnswers | DialOutcome | Recording


# --- where the call is waiting for the caller ----------------------------------------

@dataclass(frozen=True)
class AtGather:
    kind: ClassVar[str] = "gather"
    spec: GatherSpec
    in_queue: bool

    def accepts(self, action: Action) -> bool:
        on_hold = self.in_queue and isinstance(action, Hold | AgentAnswers)
        return on_hold or isinstance(action, Press | Speak | Silence | HangUp)

    def describe(self) -> str:
        where = " in the queue's wait music" if self.in_queue else ""
        return f"a <Gather input={self.spec.label}>{where}"


@dataclass(frozen=True)
class InQueue:
    kind: ClassVar[str] = "queue"
    in_queue: ClassVar[bool] = True
    queue: QueueState

    def accepts(self, action: Action) -> bool:
        return isinstance(action, Hold | AgentAnswers | HangUp)

    def describe(self) -> str:
        return f"queue {self.queue.name!r}"


@dataclass(frozen=True)
class AtDial:
    kind: ClassVar[str] = "dial"
    in_queue: ClassVar[bool] = False
    target: str

    def accepts(self, action: Action) -> bool:
        return isinstance(action, DialOutcome | HangUp)

    def describe(self) -> str:
        return f"a <Dial> to {self.target}"


@dataclass(frozen=True)
class AtRecord:
    kind: ClassVar[str] = "record"
    in_queue: ClassVar[bool] = False
    finish_on_key: str
    max_length: int

    def accepts(self, action: Action) -> bool:
        return isinstance(action, Recording | Silence | HangUp)

    def describe(self) -> str:
        return "a <Record>"


Need = AtGather | InQueue | AtDial | AtRecord


# --- how executing TwiML ends --------------------------------------------------------

@dataclass(frozen=True)
class Goto:
    """Continue with another document (action, Redirect)."""
    doc: Document


@dataclass(frozen=True)
class Ended:
    status: str  # the final CallStatus


@dataclass(frozen=True)
class Left:
    """<Leave> in wait music: the caller leaves the queue."""


Outcome = Goto | Ended | Left | None  # None: the document ran out of verbs
Flow = Generator[Need, Action, Outcome]


class Caller:
    """One simulated inbound phone call."""

    def __init__(self, client, *, base_url: str, auth_token: str,
                 from_: str = "+447700900123", to: str = "+442071230000",
                 account_sid: str = DEFAULT_ACCOUNT_SID, voice_url: str = "/ivr/voice",
                 status_url: str | None = None, clock: Callable[[], datetime] | None = None,
                 call_sid: str | None = None, signature_algorithm: str | None = None,
                 shared_key: str | None = None, max_requests: int = 200,
                 extra_params: dict[str, str] | None = None):
        self.client = client
        self.base_url = base_url
        self.auth_token = auth_token
        self.from_, self.to = from_, to
        self.account_sid = account_sid
        self.call_sid = call_sid or new_sid("CA")
        self.voice_url = absolute_url(base_url, voice_url)
        self.status_url = absolute_url(base_url, status_url) if status_url else None
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.signature_algorithm, self.shared_key = signature_algorithm, shared_key
        self.max_requests = max_requests
        # parameters Twilio adds to this call's requests, e.g. {"StirVerstat": "TN-Validation-Passed-A"}
        self.extra_params = dict(extra_params or {})

        self.transcript: list[str] = []
        self.said: list[Said] = []
        self.requests: list[Exchange] = []
        self.status: str | None = None  # final CallStatus once the call has ended
        self._flow: Flow | None = None
        self._need: Need | None = None
        self._call_status = "ringing"
        self._answered_at: datetime | None = None

    # --- state ----------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self._flow is not None and self._need is None

    @property
    def waiting_for(self) -> str | None:
        """"gather", "queue", "dial" or "record" while the call waits for the caller."""
        return self._need.kind if self._need else None

    def heard(self) -> str:
        """Everything the caller heard spoken, in order, as one string."""
        return " ".join(s.text for s in self.said)

    def last_said(self) -> str | None:
        return self.said[-1].text if self.said else None

    def __str__(self) -> str:
        return "\n".join(self.transcript)

    # --- what the caller does -------------------------------------------------------

    def dial(self) -> Caller:
        if self._flow is not None:
            raise AssertionError("dial(): this call has already been dialled")
        self._flow = self._call_flow()
        self._send(None)
        return self

    def press(self, keys: str) -> Caller:
        """Keys on the keypad, e.g. "1" or "1234#"."""
        if not keys or set(keys) - DTMF_KEYS:
            raise ValueError(f"press(): keys must be 0-9, * or #, got {keys!r}")
        return self._perform(Press(keys))

    def say(self, text: str, confidence: float = 0.9) -> Caller:
        """Speech the caller says, as recognised by Twilio."""
        return self._perform(Speak(text, confidence))

    def silence(self) -> Caller:
        """Say and press nothing: the Gather times out, or the Record gets no audio."""
        return self._perform(Silence())

    def hang_up(self) -> Caller:
        """Put the phone down: at a Gather, in a queue, during a Dial or a Record."""
        return self._perform(HangUp())

    def wait_in_queue(self, polls: int = 1, *, position: int | None = None,
                      size: int | None = None, avg_wait: int | None = None) -> Caller:
        """Stay on hold for ``polls`` turns of the wait music (one waitUrl request each).

        Gathers in earlier turns get silence; the call may stop at one in the last turn.
        Stops early if the wait TwiML makes the caller leave the queue or hangs up.
        position/size/avg_wait set QueuePosition, CurrentQueueSize and AvgQueueTime
        from now on.
        """
        if polls < 1:
            raise ValueError("wait_in_queue(): polls must be at least 1")
        return self._perform(Hold(polls, position, size, avg_wait))

    def answered_by_agent(self) -> Caller:
        """An agent dequeues the caller: bridged, then the Enqueue action is requested."""
        self._perform(AgentAnswers())
        return self

    def dial_outcome(self, status: str = "completed", *, duration: int = 30) -> Caller:
        """How the <Dial> the call is making ends (DialCallStatus)."""
        if status not in DIAL_STATUSES:
            raise ValueError(f"dial_outcome(): status must be one of {DIAL_STATUSES}")
        return self._perform(DialOutcome(status, duration if status == "completed" else 0))

    def record(self, seconds: int = 10, *, finish_key: str | None = "#",
               then_hang_up: bool = False) -> Caller:
        """Speak into a <Record> for ``seconds``, then press ``finish_key`` (None: fall
        silent until the timeout) or hang up."""
        if seconds < 1:
            raise ValueError("record(): use silence() for an empty recording")
        return self._perform(Recording(seconds, None if then_hang_up else finish_key, then_hang_up))

    def finish(self) -> Caller:
        """The caller does nothing more: Gathers time out and Records get no audio until
        the call ends.  A queue or a Dial still needs the test to decide."""
        if self._flow is None:
            raise AssertionError("finish(): the call has not been dialled yet; call dial() first")
        while not self.ended:
            if not isinstance(self._need, AtGather | AtRecord):
                raise AssertionError(f"finish(): the call is waiting at {self._need.describe()}; "
                                     f"decide that explicitly\n{self}")
            self._perform(Silence())
        return self

    # --- driving the flow -----------------------------------------------------------

    def _perform(self, action: Action) -> Caller:
        self._check_accepts(action)
        while True:
            answer, done = self._answer(action)
            self._send(answer)
            if done or self.ended:
                return self
            if not self._need.in_queue:  # the wait TwiML made the caller leave the queue
                if isinstance(action, AgentAnswers):
                    raise AssertionError(f"answered_by_agent(): the caller left the queue first\n{self}")
                return self

    def _check_accepts(self, action: Action) -> None:
        if self._flow is None:
            raise AssertionError(f"{action}: the call has not been dialled yet; call dial() first")
        if self.ended:
            raise AssertionError(f"{action}: the call has already ended ({self.status})\n{self}")
        if not self._need.accepts(action):
            raise AssertionError(f"{action}: the call is waiting at {self._need.describe()}\n{self}")

    def _answer(self, action: Action) -> tuple[Action, bool]:
        """What to send the flow now, and whether that uses the action up."""
        if isinstance(self._need, AtGather) and isinstance(action, Hold | AgentAnswers):
            return Silence(), False  # on hold, the caller ignores "press 1 to ..." prompts
        if isinstance(action, Hold):
            answer = Hold(1, action.position, action.size, action.avg_wait)
            action.remaining -= 1
            return answer, action.remaining == 0
        return action, True

    def _send(self, answer: Action | None) -> None:
        try:
            self._need = self._flow.send(answer)
        except StopIteration:
            self._need = None
        except BaseException:
            self._need, self.status = None, self.status or "emulator-error"
            raise

    # --- the call, as Twilio runs it ------------------------------------------------

    def _call_flow(self) -> Flow:
        doc = self._fetch(self.voice_url, "POST")
        self._call_status, self._answered_at = "in-progress", self._now()
        outcome = yield from self._run(doc)
        if isinstance(outcome, Ended):
            self._end(outcome.status)
        else:
            self._line("HANGUP (end of TwiML)")
            self._end("completed")

    def _run(self, doc: Document, queue: QueueState | None = None) -> Flow:
        """Execute documents, following actions and redirects, until one ends the call,
        leaves the queue, or runs out of verbs."""
        while True:
            outcome = yield from self._execute(doc, queue)
            if not isinstance(outcome, Goto):
                return outcome
            doc = outcome.doc

    def _execute(self, doc: Document, queue: QueueState | None) -> Flow:
        for verb in doc.verbs:
            handler = self._handlers().get(verb.tag)
            if handler is None:
                raise AssertionError(f"the emulator does not support <{verb.tag}> (in {doc.url})")
            outcome = handler(verb, doc, queue)
            if inspect.isgenerator(outcome):  # verbs that wait for the caller
                outcome = yield from outcome
            if outcome is not None:
                return outcome
        return None

    def _handlers(self) -> dict[str, Callable]:
        return {
            "Say": self._prompt, "Play": self._prompt, "Pause": self._prompt,
            "Gather": self._gather, "Redirect": self._redirect, "Enqueue": self._enqueue,
            "Leave": self._leave, "Dial": self._dial, "Record": self._record,
            "Hangup": self._hangup, "Reject": self._reject, "Sms": self._sms, "Message": self._sms,
        }

    # --- verbs that just play to the caller -----------------------------------------

    def _prompt(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> None:
        loop = int(verb.get("loop") or 1)
        repeats, suffix = (1, " [loops until the call moves on]") if loop == 0 else (loop, "")
        for _ in range(repeats):
            if verb.tag == "Say":
                said = Said(" ".join("".join(verb.itertext()).split()),
                            verb.get("language") or "en-US", verb.get("voice"),
                            ET.tostring(verb, encoding="unicode"))
                self.said.append(said)
                self._line(f"SAY({said.language}): {said.text}{suffix}")
            elif verb.tag == "Play" and verb.get("digits"):
                self._line(f"PLAY digits {verb.get('digits')}{suffix}")
            elif verb.tag == "Play":
                self._line(f"PLAY: {self._resolve(doc, verb.text or '')}{suffix}")
            else:
                self._line(f"PAUSE {verb.get('length') or 1}s")

    def _redirect(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Goto:
        url, method = self._resolve(doc, verb.text or ""), _method(verb)
        self._line(f"REDIRECT {method} {_without_step_token(url)}")
        return Goto(self._fetch(url, method, self._queue_params(queue)))

    def _hangup(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Ended:
        self._line("HANGUP")
        return Ended("completed")

    def _reject(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Ended:
        reason = verb.get("reason") or "rejected"
        self._line(f"REJECT {reason}")
        return Ended("busy" if reason == "busy" else "no-answer")

    def _sms(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Goto | None:
        self._line(f"SMS to {verb.get('to') or self.from_}: {(verb.text or '').strip()}")
        if not verb.get("action"):
            return None
        params = {"SmsSid": new_sid("SM"), "SmsStatus": "sent"}
        return Goto(self._fetch(self._resolve(doc, verb.get("action")), _method(verb), params))

    # --- verbs that wait for the caller ---------------------------------------------

    def _gather(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Flow:
        spec = GatherSpec.from_element(verb)
        for prompt in verb:
            if prompt.tag not in PROMPT_VERBS:
                raise AssertionError(f"<{prompt.tag}> cannot be nested in <Gather> (in {doc.url})")
            self._prompt(prompt, doc, queue)
        answer = yield AtGather(spec, in_queue=queue is not None)
        if isinstance(answer, HangUp):
            self._line(f"GATHER {spec.label} -> caller hung up")
            return Ended("completed")
        params, heard = _gather_result(spec, answer)
        self._line(f"GATHER {spec.label} -> {heard}")
        if params is None and not spec.action_on_empty_result:
            return None  # Twilio moves on to the next verb
        url = self._resolve(doc, spec.action) if spec.action else doc.url
        params = {**self._queue_params(queue), **(params or {"Digits": ""})}
        return Goto(self._fetch(url, spec.method, params))

    def _enqueue(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Flow:
        if queue is not None:
            raise AssertionError(f"<Enqueue> in wait TwiML (in {doc.url})")
        state = QueueState(name=(verb.text or "").strip(), sid=new_sid("QU"), entered_at=self._now())
        self._line(f"ENQUEUE {state.name}")
        wait_url = self._resolve(doc, verb.get("waitUrl")) if verb.get("waitUrl") else None
        result = yield from self._hold(state, wait_url, (verb.get("waitUrlMethod") or "POST").upper())
        params = {"QueueResult": result, "QueueSid": state.sid, "QueueTime": state.seconds(self._now())}
        action = self._resolve(doc, verb.get("action")) if verb.get("action") else None
        if result == "hangup":
            if action:  # Twilio reports the abandoned call; nobody is left to hear the reply
                self._notify(action, _method(verb), params)
            return Ended("completed")
        return Goto(self._fetch(action, _method(verb), params)) if action else None

    def _hold(self, state: QueueState, wait_url: str | None, wait_method: str) -> Generator:
        """Turns of the wait music until the caller is bridged, leaves or hangs up.
        Twilio requests waitUrl again each time its TwiML runs out."""
        while True:
            decision = yield InQueue(state)
            if isinstance(decision, AgentAnswers):
                self._line("QUEUE answered by agent")
                return "bridged"
            if isinstance(decision, HangUp):
                self._line("CALLER HUNG UP")
                self._call_status = "completed"
                return "hangup"
            _update_queue(state, decision)
            self._line(f"QUEUE position {state.position} of {state.size}")
            if wait_url is None:
                self._line("PLAY: (Twilio's default hold music)")
                continue
            doc = self._fetch(wait_url, wait_method, self._queue_params(state))
            outcome = yield from self._run(doc, queue=state)
            if isinstance(outcome, Left):
                return "leave"
            if isinstance(outcome, Ended):
                self._call_status = "completed"
                return "hangup"

    def _leave(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Left | None:
        if queue is None:
            self._line("LEAVE (ignored: not in a queue)")
            return None
        self._line("LEAVE")
        return Left()

    def _dial(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Flow:
        target = _dial_target(verb)
        answer = yield AtDial(target)
        action = self._resolve(doc, verb.get("action")) if verb.get("action") else None
        if isinstance(answer, HangUp):
            self._line(f"DIAL {target} -> caller hung up")
            self._call_status = "completed"
            if action:
                self._notify(action, _method(verb), _dial_params(DialOutcome("canceled", 0)))
            return Ended("completed")
        self._line(f"DIAL {target} -> {answer.status}")
        return Goto(self._fetch(action, _method(verb), _dial_params(answer))) if action else None

    def _record(self, verb: ET.Element, doc: Document, queue: QueueState | None) -> Flow:
        finish_on_key = verb.get("finishOnKey", "1234567890*#")
        max_length = int(verb.get("maxLength") or 3600)
        answer = yield AtRecord(finish_on_key, max_length)
        if isinstance(answer, Silence | HangUp):
            self._line("RECORD -> no audio" + (", caller hung up" if isinstance(answer, HangUp) else ""))
            # An empty recording: Twilio skips the action and carries on (or the call is over).
            return Ended("completed") if isinstance(answer, HangUp) else None
        if answer.finish_key and answer.finish_key not in finish_on_key:
            raise AssertionError(f"record(): key {answer.finish_key!r} does not end this <Record> "
                                 f"(finishOnKey={finish_on_key!r})")
        seconds = min(answer.seconds, max_length)
        sid = new_sid("RE")
        params = {
            "RecordingSid": sid, "RecordingDuration": seconds,
            "RecordingUrl": f"{RECORDINGS_BASE}/{self.account_sid}/Recordings/{sid}",
            "Digits": "hangup" if answer.then_hang_up else answer.finish_key,
        }
        ending = "caller hung up" if answer.then_hang_up else f"ended by {answer.finish_key or 'silence'}"
        self._line(f"RECORD -> {seconds}s, {ending}")
        url = self._resolve(doc, verb.get("action")) if verb.get("action") else doc.url
        if answer.then_hang_up:
            self._call_status = "completed"
            self._notify(url, _method(verb), params)
            return Ended("completed")
        return Goto(self._fetch(url, _method(verb), params))

    # --- requests -------------------------------------------------------------------

    def _params(self, extra: dict) -> dict:
        """The parameters Twilio sends with every voice request, plus ``extra``."""
        return {
            "CallSid": self.call_sid, "AccountSid": self.account_sid,
            "From": self.from_, "To": self.to, "Caller": self.from_, "Called": self.to,
            "CallStatus": self._call_status, "Direction": "inbound", "ApiVersion": API_VERSION,
            "FromCountry": country_of(self.from_), "ToCountry": country_of(self.to),
            "CallerCountry": country_of(self.from_), "CalledCountry": country_of(self.to),
            "FromCity": "", "FromState": "", "FromZip": "", "ToCity": "", "ToState": "", "ToZip": "",
            **self.extra_params, **extra,
        }

    def _queue_params(self, queue: QueueState | None) -> dict:
        return queue.wait_params(self._now()) if queue else {}

    def _request(self, url: str, method: str, extra: dict):
        if len(self.requests) >= self.max_requests:
            recent = "\n".join(f"  {r.method} {r.url}" for r in self.requests[-5:])
            raise CallLoopError(f"the call made {self.max_requests} requests without ending; "
                                f"is the TwiML looping? Last requests:\n{recent}")
        params = form(self._params(extra))
        response = send_signed(self.client, method, self.base_url, url, params, self.auth_token,
                               algorithm=self.signature_algorithm, shared_key=self.shared_key)
        self.requests.append(Exchange(method, url, params, response.status_code, response.get_data(as_text=True)))
        return response

    def _fetch(self, url: str, method: str, extra: dict | None = None) -> Document:
        response = self._request(url, method, extra or {})
        return Document(url, list(twiml_root(response, url)))

    def _notify(self, url: str, method: str, extra: dict) -> None:
        """A request whose reply Twilio ignores (the caller has gone)."""
        check_accepted(self._request(url, method, extra), url)

    def _end(self, status: str) -> None:
        self.status = self._call_status = status
        if self.status_url:
            duration = self._seconds_since(self._answered_at) if status == "completed" else 0
            self._notify(self.status_url, "POST", {
                "CallDuration": duration, "Timestamp": format_datetime(self._now()),
                "CallbackSource": "call-progress-events", "SequenceNumber": 0,
            })

    # --- helpers --------------------------------------------------------------------

    def _line(self, text: str) -> None:
        self.transcript.append(text)

    def _resolve(self, doc: Document, url: str) -> str:
        """Relative URLs resolve against the document that held the verb (RFC 3986)."""
        return urljoin(doc.url, url.strip())

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the caller's clock must return aware datetimes")
        return now

    def _seconds_since(self, start: datetime | None) -> int:
        return max(0, int((self._now() - start).total_seconds())) if start else 0


def _without_step_token(url: str) -> str:
    """URL as a transcript shows it: a one-time step token differs on every run."""
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "step"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _method(verb: ET.Element) -> str:
    return (verb.get("method") or "POST").upper()


def _update_queue(state: QueueState, hold: Hold) -> None:
    for name in ("position", "size", "avg_wait"):
        if getattr(hold, name) is not None:
            setattr(state, name, getattr(hold, name))


def _gather_result(spec: GatherSpec, answer: Action) -> tuple[dict | None, str]:
    """The action parameters for what the caller did (None: no input), and a description."""
    if isinstance(answer, Silence):
        return None, "no input (timeout)"
    if isinstance(answer, Speak):
        if "speech" not in spec.inputs:
            return None, f'said "{answer.text}" (ignored: speech not accepted)'
        return ({"SpeechResult": answer.text, "Confidence": f"{answer.confidence:.2f}"},
                f'said "{answer.text}"')
    if "dtmf" not in spec.inputs:
        return None, f"pressed {answer.keys} (ignored: keys not accepted)"
    return _collect_digits(spec, answer.keys)


def _collect_digits(spec: GatherSpec, keys: str) -> tuple[dict | None, str]:
    """Digits end at the finish key, at numDigits, or (after the last key) at the timeout."""
    digits, finished_on = "", None
    for used, key in enumerate(keys, start=1):
        if spec.finish_on_key and key == spec.finish_on_key:
            finished_on = key
            break
        digits += key
        if spec.num_digits and len(digits) == spec.num_digits:
            break
    heard = f"pressed {keys[:used]}" + (f" (then {keys[used:]}, ignored)" if keys[used:] else "")
    if not digits:
        return None, heard + " (empty input)"
    params = {"Digits": digits}
    if finished_on:
        params["FinishedOnKey"] = finished_on
    return params, heard


def _dial_target(verb: ET.Element) -> str:
    nouns = [f"{noun.tag.lower()} {' '.join(''.join(noun.itertext()).split())}" for noun in verb]
    text = (verb.text or "").strip()
    return ", ".join(nouns) or f"number {text}"


def _dial_params(outcome: DialOutcome) -> dict:
    return {"DialCallStatus": outcome.status, "DialCallSid": new_sid("CA"),
            "DialCallDuration": outcome.duration}


FakeCall = Caller  # the name the project brief used


# --- interactive mode ----------------------------------------------------------------

HELP = {
    "gather": "keys (e.g. 1 or 1234#), s:words to speak, empty = silence, h = hang up",
    "queue": "empty = keep waiting, a = an agent answers, h = hang up",
    "dial": "c = answered and completed, n = no-answer, b = busy, f = failed, h = hang up",
    "record": "seconds of message (then #), empty = say nothing, h = hang up",
}
DIAL_KEYS = {"": "completed", "c": "completed", "n": "no-answer", "b": "busy", "f": "failed"}


def run_interactive(client, *, input_fn: Callable[[str], str] = input,
                    print_fn: Callable[[str], None] = print, **caller_options) -> Caller:
    """Let a person make a call: prints what the caller hears, asks what they do.

    ``caller_options`` are Caller's keyword arguments (base_url, auth_token, ...).
    End of input (Ctrl-D) hangs up.  Returns the finished Caller.
    """
    call = Caller(client, **caller_options)
    shown = 0

    def show_new_lines() -> None:
        nonlocal shown
        for line in call.transcript[shown:]:
            print_fn(line)
        shown = len(call.transcript)

    call.dial()
    show_new_lines()
    while not call.ended:
        try:
            command = input_fn(f"[{call.waiting_for}] {HELP[call.waiting_for]} > ").strip()
        except EOFError:
            command = "h"
        try:
            _apply_command(call, command)
        except ValueError as exc:
            print_fn(f"?? {exc}")
        show_new_lines()
    print_fn(f"-- call ended ({call.status})")
    return call


def _apply_command(call: Caller, command: str) -> None:
    """One typed command, interpreted for whatever the call is waiting at."""
    if command.lower() == "h":
        call.hang_up()
    elif call.waiting_for == "gather":
        if command.lower().startswith("s:"):
            call.say(command[2:].strip())
        elif command:
            call.press(command)
        else:
            call.silence()
    elif call.waiting_for == "queue":
        if command.lower() == "a":
            call.answered_by_agent()
        elif not command:
            call.wait_in_queue()
        else:
            raise ValueError(HELP["queue"])
    elif call.waiting_for == "dial":
        if command.lower() not in DIAL_KEYS:
            raise ValueError(HELP["dial"])
        call.dial_outcome(DIAL_KEYS[command.lower()])
    elif call.waiting_for == "record":
        if not command:
            call.silence()
        elif command.isdigit() and int(command) > 0:
            call.record(int(command))
        else:
            raise ValueError(HELP["record"])
