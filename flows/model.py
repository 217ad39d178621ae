"""The vocabulary of a voice flow: nodes (the data a flow is made of), what a caller
can do (inputs), what the flow asks the edge to do (events), and the call's state.

Everything here is plain frozen dataclasses; nothing does I/O.  ``ivr/`` turns events
into TwiML and side effects, and turns Twilio's requests back into inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.hours import WeeklyHours

# --- nodes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Go:
    """Where a choice leads, and the call variables it sets on the way."""
    target: str
    sets: tuple[tuple[str, Any], ...] = ()


def to(target: str, **sets: Any) -> Go:
    return Go(target, tuple(sorted(sets.items())))


@dataclass(frozen=True)
class Message:
    """Say the prompts, then carry on to ``next``.  BARGE_IN: when the next thing the
    caller hears is a menu, these prompts play inside its Gather, so a key pressed (or
    a word said) during them counts; asked again, the menu does not repeat them."""
    prompts: tuple[str, ...]
    next: str
    outcome: str | None = None
    barge_in: bool = False


@dataclass(frozen=True)
class Branch:
    """Go one way or the other on a named condition (see engine.CONDITIONS)."""
    test: str
    if_true: str
    if_false: str


@dataclass(frozen=True)
class Act:
    """Apply a named effect (see engine.EFFECTS), then carry on to ``next``."""
    effect: str
    next: str
    outcome: str | None = None


@dataclass(frozen=True)
class Menu:
    """Ask for one key (or a spoken word) and follow the matching option.

    A wrong key gets ``invalid_prompt`` and the menu again; silence gets
    ``silence_prompt`` and the menu again.  After ``max_silence`` silences or
    ``max_invalid`` wrong answers in a row, or when the menu has been played
    ``max_visits`` times in the call, the caller goes to ``on_no_input`` instead:
    nobody is left looping.
    """
    prompts: tuple[str, ...]
    options: dict[str, Go]
    on_no_input: str
    vocabulary: str | None = None  # speech.VOCABULARIES name: words that mean each key
    # Keys offered with no phrase in the vocabulary (flows.validate holds the two to
    # each other, so a key left unspoken is a decision, not an omission).
    dtmf_only: tuple[str, ...] = ()
    max_silence: int = 2
    max_invalid: int = 3
    max_visits: int = 8
    invalid_prompt: str = "sorry_invalid"
    silence_prompt: str = "sorry_silence"
    timeout: int = 6
    outcome: str | None = None
    # Said instead of ``prompts`` when the menu is asked again after silence or a wrong
    # key (None: the same prompts), e.g. with the other-language choice a lead-in gave.
    retry_prompts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Entry:
    """Ask for a number typed on the keypad and ended with #, kept in ``store``."""
    prompts: tuple[str, ...]
    store: str
    next: str
    on_no_input: str
    max_length: int = 20
    max_silence: int = 2
    max_invalid: int = 3
    invalid_prompt: str = "sorry_entry_invalid"
    silence_prompt: str = "sorry_entry_silence"  # "we did not hear a number", not "a choice"
    timeout: int = 10
    speech: bool = True  # False: keys only (a PIN is never said aloud, nor transcribed)


@dataclass(frozen=True)
class Ask:
    """Ask the edge a question it must answer (a database lookup, sending a text) and
    follow the answer.  ``consume`` names call variables dropped once answered (so
    entered digits are never saved with the call's state)."""
    query: str
    answers: dict[str, str]
    consume: tuple[str, ...] = ()


@dataclass(frozen=True)
class Queue:
    """Put the caller in a Twilio queue, and say where each way out leads."""
    queue: str
    on_key: str      # the caller pressed 1 to be called back instead
    on_timeout: str  # waited longer than the maximum
    on_full: str     # too many callers already waiting
    on_bridged: str  # talked to an agent, who hung up first
    on_error: str
    on_hangup: str   # the caller hung up while waiting
    # the desk closed (or its last agent went offline) and the grace period is over;
    # None: as on_timeout
    on_closed: str | None = None


@dataclass(frozen=True)
class End:
    """Say the prompts and hang up."""
    prompts: tuple[str, ...]
    outcome: str | None = None


Node = Message | Branch | Act | Menu | Entry | Ask | Queue | End


@dataclass(frozen=True)
class Settings:
    """What an operator configures, passed with the flow (not baked into it)."""
    hours_overrides: dict = field(default_factory=dict)  # flows.hours.Overrides
    weekly_hours: WeeklyHours = WeeklyHours()
    queue_max_wait_seconds: int = 1200
    # After closing time (or the last agent going offline) callers still waiting may
    # hold this much longer before the safe ending.
    queue_closing_grace_seconds: int = 600
    # What a date's closure or special hours are for, as callers are told ("Christmas Day").
    closure_reasons: dict = field(default_factory=dict)  # {date: {"en": str, "pl": str (optional)}}
    # The message of the day an admin set, by language ({} when none is in force).
    announcement: dict = field(default_factory=dict)  # {"en": str, "pl": str}
    queue_max_size: int = 10
    position_every_polls: int = 3  # announce the position at least this often
    max_inputs: int = 60  # keys/speech/silences answered in one call before we give up
    case_failures_per_call: int = 3
    callback_phone_attempts: int = 3
    max_steps: int = 60  # nodes run for one input; guards against a loop in the flow


@dataclass(frozen=True)
class Flow:
    nodes: dict[str, Node]
    start: str
    settings: Settings = field(default_factory=Settings)
    on_input_limit: str | None = None  # where a caller goes after Settings.max_inputs answers
    # Saved with each call's state: a call that started on another version is resumed
    # where it waits if that node is still there, else sent to ``on_version_change``.
    version: str = "1"
    on_version_change: str | None = None  # None: the start node
    # Where a caller goes who says a word of danger or distress (speech.DISTRESS) at
    # any menu or spoken number entry; None: such words are not listened for.
    on_distress: str | None = None
    step_limit_prompts: tuple[str, ...] = ("sorry_trouble", "safety")

# --- inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    call_sid: str
    caller: str | None  # E.164, or None when withheld or not a phone number
    language: str = "en"


@dataclass(frozen=True)
class Digits:
    value: str


@dataclass(frozen=True)
class Speech:
    text: str
    confidence: float | None = None


@dataclass(frozen=True)
class Silence:
    """The caller said and pressed nothing before the Gather timed out."""


@dataclass(frozen=True)
class Answer:
    query: str
    value: str
    params: dict = field(default_factory=dict)  # prompt values for this step only
    # Call variables the answer sets, saved with the state (e.g. which case a PIN is
    # for); never anything the caller typed.
    remember: dict = field(default_factory=dict)


@dataclass(frozen=True)
class QueueWait:
    """Twilio asks what to play while the caller waits (its waitUrl).  The edge fills
    in what Twilio cannot know: the caller's place in the router's own order (callers
    and due callbacks ahead, urgent first), the likely wait from the recent answer
    rate (flows/queue_estimate.py), and whether anyone is on duty."""
    position: int | None
    wait_estimate_seconds: int | None
    waited_seconds: int | None  # Twilio's QueueTime
    size: int | None  # Twilio's CurrentQueueSize
    staffed: bool | None = None  # None: not known (the desk's hours still apply)


@dataclass(frozen=True)
class QueueResult:
    """Why the caller is out of the queue (Twilio's QueueResult)."""
    result: str
    waited_seconds: int | None = None


Input = Digits | Speech | Silence | Answer | QueueWait | QueueResult

# --- events ------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    key: str
    text: str  # the words as a transcript shows them
    language: str  # "en" | "pl"
    # How to read them: flows.spoken parts (numbers and foreign names as data); empty
    # for words with nothing to mark.
    parts: tuple = ()


@dataclass(frozen=True)
class Play:
    media: str  # a name the edge maps to a URL, e.g. "hold_music"


@dataclass(frozen=True)
class Pause:
    seconds: int


@dataclass(frozen=True)
class Gather:
    """Listen for keys and speech while ``prompts`` play; ``target`` names the route
    the answer goes to ("step", or "queue_key" in the queue's wait music)."""
    node: str
    prompts: tuple[Say | Play | Pause, ...]
    language: str
    target: str = "step"
    num_digits: int | None = 1
    finish_on_key: str | None = None
    timeout: int = 6
    hints: tuple[str, ...] = ()
    speech: bool = True  # False: listen for keys only


@dataclass(frozen=True)
class Redirect:
    target: str  # "step" (the fall-through after a Gather)


@dataclass(frozen=True)
class Enqueue:
    queue: str


@dataclass(frozen=True)
class Leave:
    pass


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Dial:
    number: str


@dataclass(frozen=True)
class Query:
    """The flow waits for the edge to answer with ``Answer(name, …)``."""
    name: str
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackRecord:
    phone: str
    safe_to_call: bool
    voicemail_allowed: bool
    window_start: str | None
    window_end: str | None
    queue_joined_at: str | None  # ISO; None when the caller never queued
    language: str


@dataclass(frozen=True)
class RequestRouting:
    """Ask the router to find an agent for this caller."""


@dataclass(frozen=True)
class QueueEvent:
    event: str  # one of QUEUE_EVENTS
    position: int | None = None
    wait_seconds: int | None = None


QUEUE_EVENTS = ("entered", "position_announced", "exit_with_key", "abandoned", "timed_out",
                "queue_full", "connected", "completed")

Event = (Say | Play | Pause | Gather | Redirect | Enqueue | Leave | Hangup | Dial | Query
         | CallbackRecord | RequestRouting | QueueEvent)

# --- state -------------------------------------------------------------------------


@dataclass(frozen=True)
class CallState:
    """Everything the flow remembers between webhooks; saved as JSON with the call."""
    call_sid: str
    caller: str | None
    language: str = "en"
    at: str | None = None  # the node waiting for the caller (or for Twilio)
    vars: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    path: tuple[str, ...] = ()
    outcome: str | None = None
    queue_joined_at: str | None = None  # ISO, the first time this call joined the queue
    done: bool = False
    flow_version: str | None = None  # Flow.version the call runs on; None: saved before versions

    def to_json(self) -> dict:
        return {"call_sid": self.call_sid, "caller": self.caller, "language": self.language,
                "at": self.at, "vars": dict(self.vars), "counts": dict(self.counts),
                "path": list(self.path), "outcome": self.outcome,
                "queue_joined_at": self.queue_joined_at, "done": self.done,
                "flow_version": self.flow_version}

    @classmethod
    def from_json(cls, data: dict) -> CallState:
        return cls(call_sid=data["call_sid"], caller=data.get("caller"),
                   language=data.get("language", "en"), at=data.get("at"),
                   vars=dict(data.get("vars") or {}), counts=dict(data.get("counts") or {}),
                   path=tuple(data.get("path") or ()), outcome=data.get("outcome"),
                   queue_joined_at=data.get("queue_joined_at"), done=bool(data.get("done")),
                   flow_version=data.get("flow_version"))
