"""Who takes the next piece of desk work, and when a callback may be placed.

Pure functions over plain data (no database, no Twilio): the workers load rows, turn
them into these small records, ask here, and act on the answer.

* Work is a caller waiting in the queue or a callback that is due.  It is taken in the
  order the caller first joined the queue, so a callback taken in the queue keeps the
  caller's place; a caller who said they are in danger (urgent) goes ahead of the rest.
* An agent may take work when available and not already being rung.  Of those who
  speak the caller's language, the longest idle is chosen; on a call flagged VAWG an
  agent with the ``vawg`` skill is preferred.  When no agent on duty speaks the
  language at all, any agent may take it (with an interpreter) rather than nobody.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

LANGUAGES = ("en", "pl")
VAWG = "vawg"
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "pl": "Polish"}


@dataclass(frozen=True)
class AgentInfo:
    id: int
    state: str
    state_changed_at: datetime
    skills: tuple[str, ...] = ()

    @property
    def languages(self) -> frozenset[str]:
        spoken = frozenset(s for s in self.skills if s in LANGUAGES)
        return spoken or frozenset({DEFAULT_LANGUAGE})  # no language listed: English


@dataclass(frozen=True)
class Work:
    """A caller to connect (kind "queue", key = CallSid) or a callback (key = its id)."""
    kind: str
    key: str
    joined_at: datetime
    language: str = DEFAULT_LANGUAGE
    vawg: bool = False
    tried: frozenset[int] = field(default_factory=frozenset)  # agents who missed this work
    urgent: bool = False  # said words of danger or distress in the menus: served first


def free_agents(agents: list[AgentInfo], ringing: set[int]) -> list[AgentInfo]:
    """Available agents not being rung right now, longest idle first."""
    free = [a for a in agents if a.state == "available" and a.id not in ringing]
    return sorted(free, key=lambda a: (a.state_changed_at, a.id))


def pick_agent(work: Work, free: list[AgentInfo], on_duty: list[AgentInfo]) -> AgentInfo | None:
    """The agent to ring for ``work``, or None (wait for one who fits).

    ``free`` is longest-idle first; ``on_duty`` is every agent not offline.  An agent
    who already missed this work is only rung again when nobody else fits.
    """
    language = work.language if work.language in LANGUAGES else DEFAULT_LANGUAGE
    if any(language in a.languages for a in on_duty):
        fits = [a for a in free if language in a.languages]
    else:
        fits = list(free)
    if work.vawg:
        specialists = [a for a in fits if VAWG in a.skills]
        fits = specialists + [a for a in fits if VAWG not in a.skills]
    fresh = [a for a in fits if a.id not in work.tried]
    chosen = (fresh or fits)[:1]
    return chosen[0] if chosen else None


def assign(work: list[Work], agents: list[AgentInfo], ringing: set[int]) -> list[tuple[Work, AgentInfo]]:
    """Pair waiting work with free agents, urgent work first, then oldest first; each agent once."""
    on_duty = [a for a in agents if a.state != "offline"]
    free = free_agents(agents, ringing)
    pairs = []
    for item in sorted(work, key=lambda w: (not w.urgent, w.joined_at, w.key)):
        agent = pick_agent(item, free, on_duty)
        if agent is not None:
            pairs.append((item, agent))
            free = [a for a in free if a.id != agent.id]
        if not free:
            break
    return pairs


# --- agent state over time --------------------------------------------------------

MISSES_BEFORE_OFFLINE = 2


def after_miss(missed_in_a_row: int) -> tuple[int, bool]:
    """(new count, goes offline) after an agent missed a call."""
    count = missed_in_a_row + 1
    return count, count >= MISSES_BEFORE_OFFLINE


def wrap_up_over(state: str, state_changed_at: datetime, now: datetime, wrap_up: timedelta) -> datetime | None:
    """When an agent's wrap-up ended (they count as idle since then), or None if it has not."""
    if state != "wrap_up":
        return None
    ends = state_changed_at + wrap_up
    return ends if ends <= now else None


# --- callbacks --------------------------------------------------------------------

def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    if hours == "24" and minutes == "00":
        return time.max
    return time(int(hours), int(minutes))


def in_window(local: datetime, start: str | None, end: str | None) -> bool:
    """Is the London wall-clock time inside [start, end)?  No window: any time.
    A window whose end is before its start runs past midnight."""
    if not start and not end:
        return True
    now_t = local.timetz().replace(tzinfo=None)
    lo = parse_hhmm(start) if start else time.min
    hi = parse_hhmm(end) if end else time.max
    if lo <= hi:
        return lo <= now_t < hi
    return now_t >= lo or now_t < hi


def safe_to_call_now(local: datetime, *, safe_to_call: bool, window_start: str | None,
                     window_end: str | None, case_windows: list[str] | None) -> bool:
    """A callback may ring the victim only inside their own window AND, for a verified
    case, inside one of the case's safe call times (none recorded: no extra limit)."""
    if not safe_to_call:
        return False
    if not in_window(local, window_start, window_end):
        return False
    if case_windows:
        return any(in_window(local, *w.split("-", 1)) for w in case_windows)
    return True


@dataclass(frozen=True)
class AttemptPolicy:
    max_attempts: int = 3
    spacing: tuple[timedelta, ...] = (timedelta(minutes=15), timedelta(minutes=60))

    def next_attempt(self, attempts_made: int, now: datetime) -> datetime | None:
        """When to try again after ``attempts_made`` attempts failed; None: give up."""
        if attempts_made >= self.max_attempts:
            return None
        gap = self.spacing[min(attempts_made, len(self.spacing)) - 1] if self.spacing else timedelta(0)
        return now + gap


# Outcomes of one callback attempt (CallbackAttempt.outcome)
CONNECTED = "connected"          # the victim answered and spoke to the agent
VOICEMAIL_LEFT = "voicemail_left"
MACHINE_NO_MESSAGE = "machine_no_message"  # voicemail not allowed: hung up without a word
NO_ANSWER = "no_answer"
BUSY = "busy"
FAILED = "failed"
CANCELED = "canceled"            # the agent hung up before the victim answered
LOST = "lost"                    # Twilio never told us how it ended (counts as an attempt)

DIAL_STATUS_OUTCOMES = {"completed": CONNECTED, "answered": CONNECTED, "busy": BUSY,
                        "no-answer": NO_ANSWER, "failed": FAILED, "canceled": CANCELED}

MACHINE_ANSWERS = {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}


def is_machine(answered_by: str | None) -> bool:
    return (answered_by or "") in MACHINE_ANSWERS
