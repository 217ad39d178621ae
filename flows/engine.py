"""Stepping a voice flow: pure functions from (flow, state, input, now) to a new state
and the events the edge must carry out.  Inputs are never mutated.

    state, events = start(flow, Trigger(call_sid, caller), now=now)
    state, events = resume(flow, state, Digits("1"), now=now)

A run goes node to node until the caller (or Twilio, or the edge) must answer: a
Menu or Entry (Gather), an Ask (Query, answered at once by the edge with Answer), the
Queue, or an End.  ``Settings.max_steps`` nodes per run is the hard stop against a
loop in the flow itself; ``Settings.max_inputs`` answers per call is the stop
against a caller going round and round.

Each state records the Flow.version it ran on; ``resume`` on another version goes on
where the call waits if that node still takes the input, else to
``Flow.on_version_change``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from flows import hours, prompts, speech, spoken
from flows.model import (
    Act,
    Answer,
    Ask,
    Branch,
    CallbackRecord,
    CallState,
    Digits,
    End,
    Enqueue,
    Entry,
    Event,
    Flow,
    Gather,
    Hangup,
    Input,
    Leave,
    Menu,
    Message,
    Play,
    Query,
    Queue,
    QueueEvent,
    QueueResult,
    QueueWait,
    Redirect,
    RequestRouting,
    Say,
    Silence,
    Speech,
    Trigger,
)
from flows.phone import spoken_phone, try_e164, typed_callback_number
from flows.sms_schedule import in_window, next_call_window

# --- what the engine says by itself ----------------------------------------------
# Prompts no node names.  flows.validate counts these, with the prompts the flow's
# nodes name, as the prompts in use (tests/ivr/test_prompt_uses.py holds them to what
# calls actually say).

NEXT_OPENING_UNKNOWN = "next_opening_unknown"  # said for next_opening when no opening is known
QUEUE_PROMPTS = ("queue_position", "queue_press_1", "queue_thanks", "queue_leaving", "queue_key_invalid",
                 "queue_closing", "queue_thanks_closing")
ESTIMATE_PROMPTS = ("queue_estimate_one", "queue_estimate_few", "queue_estimate_many", "queue_estimate_long")
# Words filled into cb_read_back
VOICEMAIL_PROMPTS = {True: "cb_vm_yes", False: "cb_vm_no"}
WINDOW_PROMPTS = {None: "window_any", **{hours.span_text(span): f"window_{name}"
                                         for name, span in hours.CALLBACK_WINDOWS.items()}}
# Words filled into cb_existing: when the callback already booked is due
DUE_PROMPTS = ("cb_due_now", "cb_due_later", "cb_due_unknown")
PROMPTS = (NEXT_OPENING_UNKNOWN, *QUEUE_PROMPTS, *ESTIMATE_PROMPTS, *VOICEMAIL_PROMPTS.values(),
           *WINDOW_PROMPTS.values(), *DUE_PROMPTS)

# --- the run: a working copy of the state -------------------------------------------


class _Run:
    def __init__(self, flow: Flow, state: CallState, now: datetime, extra: dict | None = None):
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        self.flow, self.settings, self.now = flow, flow.settings, now
        self.call_sid, self.caller = state.call_sid, state.caller
        self.language = state.language
        self.at = state.at
        self.vars = dict(state.vars)
        self.counts = dict(state.counts)
        self.path = list(state.path)
        self.outcome = state.outcome
        self.queue_joined_at = state.queue_joined_at
        self.done = state.done
        self.events: list[Event] = []
        self.lead: list[Say] = []  # barge-in prompts waiting for the next menu's Gather
        self.extra = dict(extra or {})  # prompt values for this run only (never saved)
        self.steps = 0

    def state(self) -> CallState:
        return CallState(call_sid=self.call_sid, caller=self.caller, language=self.language,
                         at=self.at, vars=self.vars, counts=self.counts, path=tuple(self.path[-300:]),
                         outcome=self.outcome, queue_joined_at=self.queue_joined_at, done=self.done,
                         flow_version=self.flow.version)

    def count(self, name: str, by: int = 1) -> int:
        self.counts[name] = self.counts.get(name, 0) + by
        return self.counts[name]

    def say(self, key: str) -> Say:
        if key == "next_opening" and self._opening() is None:
            key = NEXT_OPENING_UNKNOWN
        return prompts.say(key, self.language, _Params(self))

    def emit(self, *events: Event) -> None:
        if self.lead:  # anything but a menu comes next: the lead-in is said as it is
            self.events.extend(self.lead)
            self.lead = []
        self.events.extend(events)

    def _opening(self):
        return hours.next_opening(self.now, self.settings.hours_overrides, weekly=self.settings.weekly_hours)


class _Params(Mapping):
    """Prompt values, worked out only when a prompt asks for them."""

    def __init__(self, run: _Run):
        self.run = run

    def __getitem__(self, name: str):
        run = self.run
        if name in run.extra:
            return run.extra[name]
        if name in PARAMS:
            return PARAMS[name](run)
        raise KeyError(name)

    def __iter__(self):
        return iter(set(PARAMS) | set(self.run.extra))

    def __len__(self) -> int:
        return len(set(PARAMS) | set(self.run.extra))


def _when(run: _Run) -> str:
    opening = run._opening()
    return prompts.when(opening.at, opening.days_ahead, run.language) if opening else ""


def _today(run: _Run):
    return run.now.astimezone(hours.LONDON).date()


def _closed_for_reason(run: _Run) -> bool:
    """Closed all day today by an override that says why."""
    today = _today(run)
    return (bool(run.settings.closure_reasons.get(today)) and today in run.settings.hours_overrides
            and run.settings.hours_overrides[today] is None)


def _said_in(run: _Run, texts: dict[str, str]):
    """An operator's words ({"en": ..., "pl": ...}) in the caller's language, else the English."""
    return texts.get(run.language) or _in_english(run, texts.get("en", ""))


def _in_english(run: _Run, words: str):
    """Words an operator wrote in English: read as English in a Polish sentence."""
    if run.language == "en" or not words:
        return words
    return spoken.Phrase((spoken.foreign("en", words),))


def _window_text(run: _Run) -> str:
    key = WINDOW_PROMPTS.get(run.vars.get("cb_window"), WINDOW_PROMPTS[None])
    return prompts.text(key, run.language, _Params(run))


def _callback_phone(run: _Run) -> str | None:
    return run.caller if run.vars.get("cb_use_caller") else run.vars.get("cb_phone")


def _booked_due(run: _Run) -> datetime | None:
    """When the callback already booked (remembered by the callback_number answer) may
    first ring: not before its next attempt, within the times it may ring (its window
    and the cases' safe times) and while the desk is open.  None: not within a fortnight."""
    after = run.vars.get("cb_booked_after")
    moment = max(run.now, datetime.fromisoformat(after)) if after else run.now
    times = run.vars.get("cb_booked_times")
    settings = run.settings
    for _ in range(30):
        if not hours.is_open(moment, settings.hours_overrides, settings.weekly_hours):
            opening = hours.next_opening(moment, settings.hours_overrides, weekly=settings.weekly_hours)
            if opening is None:
                return None
            moment = opening.at
            continue
        if times and not any(in_window(moment, window) for window in times):
            window = next_call_window(list(times), moment)
            if window is None:
                return None
            moment = window[0]
            continue
        return moment
    return None


def _booked_due_text(run: _Run) -> str:
    due = _booked_due(run)
    if due is None:
        return prompts.text("cb_due_unknown", run.language)
    if due <= run.now:
        return prompts.text("cb_due_now", run.language)
    days_ahead = (due.astimezone(hours.LONDON).date() - run.now.astimezone(hours.LONDON).date()).days
    when = prompts.when(due.astimezone(hours.LONDON), days_ahead, run.language)
    return prompts.text("cb_due_later", run.language, {"when": when})


PARAMS: dict[str, Callable[[_Run], object]] = {
    "when": _when,
    "caller_number": lambda run: spoken_phone(run.caller) if run.caller else "",
    "callback_number": lambda run: spoken_phone(_callback_phone(run)) if _callback_phone(run) else "",
    "voicemail_text": lambda run: prompts.text(VOICEMAIL_PROMPTS[bool(run.vars.get("cb_voicemail"))],
                                               run.language),
    "window_text": _window_text,
    "booked_due": _booked_due_text,
    "closure_reason": lambda run: _said_in(run, run.settings.closure_reasons.get(_today(run), {})),
    "announcement": lambda run: _said_in(run, run.settings.announcement),
    "opening_hours": lambda run: prompts.opening_hours(run.settings.weekly_hours, run.language),
    # morning_from, morning_to, ...: a callback window's times, as said in the catalog
    **{name: (lambda run, name=name: prompts.window_times(run.settings.weekly_hours, run.language)[name])
       for name in prompts.WINDOW_TIMES},
}
# Values the edge or the queue supply for one run (Answer.params, Twilio's figures).
RUN_PARAMS = ("position", "minutes", "status", "date", "message", "url")

# --- named conditions, effects and queries ------------------------------------------

CONDITIONS: dict[str, Callable[[_Run], bool]] = {
    "desk_open": lambda run: hours.is_open(run.now, run.settings.hours_overrides, run.settings.weekly_hours),
    "has_caller_number": lambda run: bool(run.caller and try_e164(run.caller)),
    "callback_number_valid": lambda run: bool(run.vars.get("cb_phone")),
    "callback_number_attempts_left":
        lambda run: run.counts.get("cb_phone_failures", 0) < run.settings.callback_phone_attempts,
    "case_attempts_left":
        lambda run: run.counts.get("case_failures", 0) < run.settings.case_failures_per_call,
    "closed_for_reason": _closed_for_reason,
    "announcement": lambda run: bool(run.settings.announcement),
    # the caller left the queue for the callback questions and may go back to their place
    "back_to_queue": lambda run: bool(run.vars.get(QUEUE_PLACE)) and _queue_open(run),
    # the desk is open, or it is closing and this caller's grace period is not over
    "queue_open": lambda run: _queue_open(run),
}

# Call variables: the caller left the queue keeping their place (the callback questions
# put them back on silence); the caller said a word of distress (the router serves
# urgent callers first, services/waiting.py).
QUEUE_PLACE = "queue_place"
URGENT = "urgent"


def _queue_open(run: _Run) -> bool:
    since = run.vars.get(QUEUE_CLOSING)
    if since is not None:  # closing for this caller: the grace period decides
        grace = timedelta(seconds=run.settings.queue_closing_grace_seconds)
        return run.now < datetime.fromisoformat(since) + grace
    return CONDITIONS["desk_open"](run)


def _toggle_language(run: _Run) -> None:
    run.language = "pl" if run.language == "en" else "en"


def _reset_callback(run: _Run) -> None:
    for name in [n for n in run.vars if n.startswith("cb_")]:
        del run.vars[name]
    run.counts.pop("cb_phone_failures", None)


def _take_typed_number(run: _Run) -> None:
    # The typed number lives only for this run; what is kept is the valid E.164 form.
    phone = typed_callback_number(run.vars.pop("cb_typed", None))
    run.vars["cb_phone"] = phone
    if phone is None:
        run.count("cb_phone_failures")


def _count_case_failure(run: _Run) -> None:
    run.count("case_failures")


def _record_callback(run: _Run) -> None:
    window = run.vars.get("cb_window")
    start, end = window.split("-") if window else (None, None)
    run.emit(CallbackRecord(phone=_callback_phone(run), safe_to_call=bool(run.vars.get("cb_safe")),
                            voicemail_allowed=bool(run.vars.get("cb_voicemail")),
                            window_start=start, window_end=end,
                            queue_joined_at=run.queue_joined_at, language=run.language))


def _hold_queue_place(run: _Run) -> None:
    run.vars[QUEUE_PLACE] = True


def _drop_queue_place(run: _Run) -> None:
    run.vars.pop(QUEUE_PLACE, None)


def _mark_urgent(run: _Run) -> None:
    run.vars[URGENT] = True


EFFECTS: dict[str, Callable[[_Run], None]] = {
    "hold_queue_place": _hold_queue_place,
    "drop_queue_place": _drop_queue_place,
    "mark_urgent": _mark_urgent,
    "toggle_language": _toggle_language,
    "reset_callback": _reset_callback,
    "take_typed_number": _take_typed_number,
    "count_case_failure": _count_case_failure,
    "record_callback": _record_callback,
}

# Query name -> every answer the edge may give (flows.validate checks Ask nodes cover them).
QUERIES: dict[str, tuple[str, ...]] = {
    # "pin": the case needs its PIN before the full update (remembers ``pin_case``);
    # "locked": this number is locked out for unknown references today;
    # "pin_locked": the case is locked today after too many wrong PINs;
    # "ambiguous": more than one of the caller's cases has these digits.
    "case_lookup": ("pin", "minimal", "no_updates", "refused", "locked", "pin_locked", "ambiguous"),
    "case_pin": ("full", "no_updates", "wrong", "locked"),
    "send_leaflet": ("sent", "no_number", "refused", "unavailable"),
    # "booked": the caller's own number already has a callback waiting (remembers
    # ``cb_booked_after`` and ``cb_booked_times``, for when it is due).
    "callback_number": ("ok", "refused", "booked"),
    # The update just read, read again (the case is remembered as ``heard_case``);
    # "gone": the call no longer has a case it may hear.
    "case_again": ("full", "minimal", "no_updates", "gone"),
    # "gone": nothing was left to cancel (an agent took or closed it meanwhile).
    "cancel_callback": ("cancelled", "gone"),
    # "staffed": at least one agent is on duty (available, busy or in wrap-up);
    # "unstaffed": every agent is offline, so nobody would answer the queue.
    "staffing": ("staffed", "unstaffed"),
}

# --- public API -------------------------------------------------------------------


def start(flow: Flow, trigger: Trigger, *, now: datetime) -> tuple[CallState, list[Event]]:
    state = CallState(call_sid=trigger.call_sid, caller=trigger.caller, language=trigger.language,
                      flow_version=flow.version)
    run = _Run(flow, state, now)
    _go(run, flow.start)
    return run.state(), run.events


def resume(flow: Flow, state: CallState, event: Input, *, now: datetime) -> tuple[CallState, list[Event]]:
    extra = dict(event.params) if isinstance(event, Answer) else {}
    run = _Run(flow, state, now, extra)
    if state.done:
        return state, [Hangup()]
    if not _waits_in(flow, state, event):
        # The node this call waits at is gone (another version of the flow was deployed
        # since its last step): carry on from the flow's chosen node, the desk, rather
        # than drop the caller.
        _go(run, flow.on_version_change or flow.start)
        return run.state(), run.events
    node = flow.nodes[state.at]
    if isinstance(event, Digits | Speech | Silence) and isinstance(node, Menu | Entry):
        if flow.on_input_limit and run.count("inputs") > flow.settings.max_inputs:
            _go(run, flow.on_input_limit)
            return run.state(), run.events
    target = _handle(run, state.at, node, event)
    if target is not None:
        _go(run, target)
    return run.state(), run.events


def again(flow: Flow, state: CallState, *, now: datetime) -> list[Event]:
    """What a stale or forged request hears: the question the call waits at, asked
    again (or its place in the queue); the state is not changed."""
    node = flow.nodes.get(state.at) if state.at is not None and not state.done else None
    if isinstance(node, Menu | Entry):
        run = _Run(flow, state, now)
        _present(run, state.at, node)
        return run.events
    if isinstance(node, Queue):
        return [Enqueue(node.queue)]
    return [Hangup()] if state.done else []


def _waits_in(flow: Flow, state: CallState, event: Input) -> bool:
    """Whether the call can resume at its node in this flow.  After a version change
    the node must also still take this input: a name reused for another kind of node
    (or an Ask for another query) counts as gone.  A state saved before versions
    existed (no flow_version) counts as the current version."""
    node = flow.nodes.get(state.at) if state.at is not None else None
    if node is None:
        return False
    if state.flow_version in (None, flow.version):
        return True
    if isinstance(event, Answer):
        return isinstance(node, Ask) and event.query == node.query and event.value in node.answers
    if isinstance(event, QueueWait | QueueResult):
        return isinstance(node, Queue)
    return isinstance(node, Menu | Entry | Queue)


# --- inputs at a waiting node -------------------------------------------------------


def _handle(run: _Run, node_id: str, node, event: Input) -> str | None:
    """The node to run next, or None when the call stays where it is."""
    if isinstance(node, Menu) and isinstance(event, Digits | Speech | Silence):
        return _menu_input(run, node_id, node, event)
    if isinstance(node, Entry) and isinstance(event, Digits | Speech | Silence):
        return _entry_input(run, node_id, node, event)
    if isinstance(node, Ask) and isinstance(event, Answer):
        if event.query != node.query or event.value not in node.answers:
            raise ValueError(f"{node_id} expects an answer to {node.query!r}, got {event.query}={event.value}")
        run.vars.update(event.remember)
        return node.answers[event.value]
    if isinstance(node, Queue):
        return _queue_input(run, node_id, node, event)
    # Anything else is a stale or repeated request: ask the current question again.
    if isinstance(node, Menu | Entry):
        _present(run, node_id, node)
    elif isinstance(node, Ask):
        return node_id
    return None


def _key_from(event: Digits | Speech, vocabulary: str | None, allowed: set[str]) -> str | None:
    if isinstance(event, Digits):
        value = event.value.strip()
        return value if len(value) == 1 and value in allowed else None
    return speech.choose(event.text, vocabulary, allowed)


def _menu_input(run: _Run, node_id: str, node: Menu, event) -> str | None:
    if isinstance(event, Silence):
        return _no_answer(run, node_id, node, "silence", node.max_silence, node.silence_prompt)
    if isinstance(event, Speech) and run.flow.on_distress and speech.distressed(event.text):
        _reset_tries(run, node_id)
        return run.flow.on_distress
    key = _key_from(event, node.vocabulary, set(node.options))
    if key is None:
        return _no_answer(run, node_id, node, "invalid", node.max_invalid, node.invalid_prompt)
    _reset_tries(run, node_id)
    choice = node.options[key]
    for name, value in choice.sets:
        run.vars[name] = value
    return choice.target


def _entry_input(run: _Run, node_id: str, node: Entry, event) -> str | None:
    if isinstance(event, Silence):
        return _no_answer(run, node_id, node, "silence", node.max_silence, node.silence_prompt)
    if isinstance(event, Speech) and node.speech and run.flow.on_distress and speech.distressed(event.text):
        # "help" said while we ask for a number is heard as at a menu, not as a bad number
        _reset_tries(run, node_id)
        return run.flow.on_distress
    if isinstance(event, Digits):
        digits = event.value.strip().rstrip("#")
    else:  # an Entry for keys only takes nothing spoken
        digits = (speech.spoken_number(event.text) or "") if node.speech else ""
    if not digits.isdigit() or len(digits) > node.max_length:
        return _no_answer(run, node_id, node, "invalid", node.max_invalid, node.invalid_prompt)
    _reset_tries(run, node_id)
    run.vars[node.store] = digits
    return node.next


def _no_answer(run: _Run, node_id: str, node, kind: str, limit: int, prompt: str) -> str:
    """A wrong answer or silence: apologise and ask again, until the limit."""
    if run.count(f"{kind}:{node_id}") >= limit:
        _reset_tries(run, node_id)
        return node.on_no_input
    run.emit(run.say(prompt))
    return node_id


def _reset_tries(run: _Run, node_id: str) -> None:
    run.counts.pop(f"silence:{node_id}", None)
    run.counts.pop(f"invalid:{node_id}", None)


# --- the queue ----------------------------------------------------------------------


LONG_WAIT_MINUTES = 15  # above this, only "more than 15 minutes"


def estimate(wait_seconds: int | None, hold_left_seconds: int | None = None) -> tuple[str, int | None] | None:
    """The wait to announce: rounded *up* (to 5 minutes above 5), so nobody is promised
    less than the estimate; above 15 minutes only "more than 15 minutes"; nothing
    without an estimate.  Never a wait longer than the caller may still hold
    (HOLD_LEFT_SECONDS: the queue's time limit, or the desk's closing and its grace
    period): rounding stops at that limit, and an estimate beyond it is not announced
    at all (the caller is offered a callback when the limit comes)."""
    if not wait_seconds or wait_seconds <= 0:
        return None
    one, few, many, longer = ESTIMATE_PROMPTS
    minutes = math.ceil(wait_seconds / 60)
    limit = max(0, hold_left_seconds) // 60 if hold_left_seconds is not None else None
    if limit is not None and minutes > limit:
        return None
    if minutes <= 1:
        return one, 1
    if minutes <= 5:
        return few, minutes
    if minutes <= LONG_WAIT_MINUTES:
        rounded = math.ceil(minutes / 5) * 5
        return many, rounded if limit is None else min(rounded, limit)
    return longer, None


def _queue_input(run: _Run, node_id: str, node: Queue, event: Input) -> str | None:
    if isinstance(event, QueueWait):
        _queue_wait(run, node_id, event)
        return None
    if isinstance(event, Digits):
        # Keys only: the hold music does not listen for speech, so words said to someone
        # else in the room cannot take the caller out of the queue.
        if event.value.strip() == "1":
            run.vars["leave_reason"] = "key"
            run.emit(QueueEvent("exit_with_key"), run.say("queue_leaving"), Leave())
        else:
            run.emit(run.say("queue_key_invalid"))
        return None
    if isinstance(event, Speech):
        return None  # a stale request from before the hold music was keys only: keep holding
    if isinstance(event, QueueResult):
        waited = event.waited_seconds
        if waited is not None:
            run.vars["wait_seconds"] = waited
        result = event.result
        if result == "leave":
            reason = run.vars.pop("leave_reason", None)
            return {"key": node.on_key, "timed_out": node.on_timeout, "full": node.on_full,
                    "closed": node.on_closed or node.on_timeout}.get(reason, node.on_error)
        if result == "queue-full":
            run.emit(QueueEvent("queue_full", wait_seconds=waited))
            return node.on_full
        if result == "bridged":
            run.emit(QueueEvent("connected", wait_seconds=waited))
            return node.on_bridged
        if result == "hangup":
            run.emit(QueueEvent("abandoned", wait_seconds=waited))
            return node.on_hangup
        if result in ("redirected", "bridging-in-process"):
            return None  # the call is elsewhere now; nothing to play
        return node.on_error
    return None


# Call variable: when the queue began closing for this call (ISO): closing time, or
# the last agent going offline, first seen in the wait music.
QUEUE_CLOSING = "queue_closing_since"


def _hold_left(run: _Run, wait: QueueWait) -> int:
    """Seconds the caller may still hold: the queue's time limit, and the desk's
    closing (today's closing time, or when closing began) plus the grace period."""
    settings = run.settings
    left = settings.queue_max_wait_seconds - (wait.waited_seconds or 0)
    grace = timedelta(seconds=settings.queue_closing_grace_seconds)
    since = run.vars.get(QUEUE_CLOSING)
    closes = (datetime.fromisoformat(since) if since
              else hours.closing_time(run.now, settings.hours_overrides, settings.weekly_hours))
    if closes is not None:
        left = min(left, int((closes + grace - run.now).total_seconds()))
    return max(0, left)


def _queue_closing(run: _Run, wait: QueueWait) -> bool:
    """The desk is closing for this caller: past closing time, or nobody on duty.
    The first time, say so (callback keeping the place, or hold for the grace
    period); True when the grace period is over and the caller must leave."""
    closing = not CONDITIONS["desk_open"](run) or wait.staffed is False
    if not closing:
        run.vars.pop(QUEUE_CLOSING, None)  # open again (an agent came back): as before
        return False
    since = run.vars.get(QUEUE_CLOSING)
    if since is None:
        run.vars[QUEUE_CLOSING] = run.now.isoformat()
        run.extra["minutes"] = prompts.minutes(max(1, run.settings.queue_closing_grace_seconds // 60),
                                               run.language)
        run.emit(run.say("queue_closing"))
        return False
    grace = timedelta(seconds=run.settings.queue_closing_grace_seconds)
    return run.now >= datetime.fromisoformat(since) + grace


def _queue_wait(run: _Run, node_id: str, wait: QueueWait) -> None:
    settings = run.settings
    polls = run.count("queue_polls")
    if wait.waited_seconds is not None and wait.waited_seconds >= settings.queue_max_wait_seconds:
        run.vars["leave_reason"] = "timed_out"
        run.emit(QueueEvent("timed_out", position=wait.position, wait_seconds=wait.waited_seconds), Leave())
        return
    if _queue_closing(run, wait):
        run.vars["leave_reason"] = "closed"
        run.emit(QueueEvent("timed_out", position=wait.position, wait_seconds=wait.waited_seconds), Leave())
        return
    # Only a caller who has just joined is turned away from a full queue; someone
    # already waiting keeps their place however many join behind them, and so does
    # someone coming back to the place they kept (QUEUE_PLACE).
    if (polls == 1 and not run.vars.get(QUEUE_PLACE) and wait.size is not None
            and wait.size > settings.queue_max_size):
        run.vars["leave_reason"] = "full"
        run.emit(QueueEvent("queue_full", position=wait.position, wait_seconds=wait.waited_seconds), Leave())
        return
    last = run.vars.get("last_position")
    every = max(1, settings.position_every_polls)
    if wait.position and (polls == 1 or wait.position != last or (polls - 1) % every == 0):
        run.extra["position"] = prompts.place(wait.position, run.language)
        run.emit(run.say("queue_position"))
        guess = estimate(wait.wait_estimate_seconds, _hold_left(run, wait))
        if guess:
            key, minutes = guess
            run.extra["minutes"] = prompts.minutes(minutes or LONG_WAIT_MINUTES, run.language)
            run.emit(run.say(key))
        run.emit(QueueEvent("position_announced", position=wait.position, wait_seconds=wait.waited_seconds))
    run.vars["last_position"] = wait.position
    # the fall-through (then Twilio asks the waitUrl again): while the desk is closing it
    # promises no one, as the closing notice said
    thanks = "queue_thanks_closing" if run.vars.get(QUEUE_CLOSING) else "queue_thanks"
    run.emit(Gather(node=node_id, target="queue_key", language=run.language, num_digits=1, timeout=5,
                    prompts=(Play("hold_music"), run.say("queue_press_1")), speech=False),
             run.say(thanks))


# --- running nodes ------------------------------------------------------------------


def _go(run: _Run, node_id: str) -> None:
    flow = run.flow
    while True:
        run.steps += 1
        if run.steps > run.settings.max_steps:
            _stop_looping(run)
            return
        node = flow.nodes[node_id]
        run.path.append(node_id)
        if getattr(node, "outcome", None):
            run.outcome = node.outcome
        if isinstance(node, Message):
            if node.barge_in:
                run.lead.extend(run.say(k) for k in node.prompts)
            else:
                run.emit(*(run.say(k) for k in node.prompts))
            node_id = node.next
        elif isinstance(node, Branch):
            node_id = node.if_true if CONDITIONS[node.test](run) else node.if_false
        elif isinstance(node, Act):
            EFFECTS[node.effect](run)
            node_id = node.next
        elif isinstance(node, Menu):
            if run.count(f"visits:{node_id}") > node.max_visits:
                node_id = node.on_no_input
                continue
            _present(run, node_id, node)
            run.at = node_id
            return
        elif isinstance(node, Entry):
            _present(run, node_id, node)
            run.at = node_id
            return
        elif isinstance(node, Ask):
            args = {name: run.vars.pop(name, None) for name in node.consume}
            run.emit(Query(node.query, args))
            run.at = node_id
            return
        elif isinstance(node, Queue):
            if run.queue_joined_at is None:  # callbacks keep the first time the caller joined
                run.queue_joined_at = run.now.isoformat()
            run.counts.pop("queue_polls", None)
            run.vars.pop("leave_reason", None)
            run.vars.pop("last_position", None)
            run.emit(QueueEvent("entered"), Enqueue(node.queue), RequestRouting())
            run.at = node_id
            return
        elif isinstance(node, End):
            run.emit(*(run.say(k) for k in node.prompts), Hangup())
            run.at, run.done = None, True
            return
        else:  # pragma: no cover - validate() rejects unknown node types
            raise TypeError(f"unknown node {node_id}: {node!r}")


def _present(run: _Run, node_id: str, node: Menu | Entry) -> None:
    is_menu = isinstance(node, Menu)
    keys = node.prompts
    if is_menu and node.retry_prompts and (run.counts.get(f"silence:{node_id}")
                                           or run.counts.get(f"invalid:{node_id}")):
        keys = node.retry_prompts
    lead, run.lead = tuple(run.lead), []  # said inside the Gather: keys pressed during them count
    run.emit(Gather(node=node_id, prompts=lead + tuple(run.say(k) for k in keys), language=run.language,
                    num_digits=1 if is_menu else None, finish_on_key=None if is_menu else "#",
                    timeout=node.timeout, hints=speech.hints(node.vocabulary) if is_menu else (),
                    speech=is_menu or node.speech),
             Redirect("step"))  # the fall-through: no answer comes back as silence


def _stop_looping(run: _Run) -> None:
    run.emit(*(run.say(k) for k in run.flow.step_limit_prompts), Hangup())
    run.at, run.done, run.outcome = None, True, "error"


def replace_settings(flow: Flow, settings) -> Flow:
    return replace(flow, settings=settings)
