"""Fills a desk database with a year of realistic history for the scale benchmark:
calls (with queue events, callbacks and their attempts, agents) and officer
engagements with their rating surveys.  Adds rows to what is there, so a database can
be grown step by step (10k, then 100k, then 1M calls).

    .venv/bin/python bench/generate.py --db sqlite --calls 1000000 --surveys 500000

Bulk inserts: executemany of pre-formatted rows on SQLite, COPY on PostgreSQL.
Nothing here is a real person: phone numbers are generated mobiles, officers are
collar numbers.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from flows.hours import LONDON, is_open  # noqa: E402

BOROUGHS = ("Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon", "Ealing",
            "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering",
            "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth",
            "Lewisham", "Merton", "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton",
            "Tower Hamlets", "Waltham Forest", "Wandsworth", "Westminster")
OFFICERS = 800  # each works in one borough
AGENTS = 40
# (outcome, weight, joined the queue)
OUTCOMES = (("connected", 45, True), ("callback_requested", 12, True), ("case_update", 12, False),
            ("information", 8, False), ("abandoned", 10, True), ("ended_in_menu", 8, False),
            ("callback_unsafe", 2, False), ("locked_out", 1, False), ("error", 2, False))
PATHS = {"connected": ["greeting", "main_menu", "desk", "queue_intro", "queue", "after_agent"],
         "callback_requested": ["greeting", "main_menu", "cb_start", "cb_number", "cb_safe", "cb_voicemail",
                                "cb_window", "cb_confirm", "cb_record", "cb_booked"],
         "case_update": ["greeting", "main_menu", "case_start", "case_entry", "case_lookup", "case_pin_entry",
                         "case_pin_check", "case_full", "case_after", "goodbye"],
         "information": ["greeting", "main_menu", "rights", "leaflet_offer", "leaflet_send", "leaflet_sent"],
         "abandoned": ["greeting", "main_menu", "desk", "queue_intro", "queue", "hung_up_in_queue"],
         "ended_in_menu": ["greeting", "main_menu"], "callback_unsafe": ["greeting", "main_menu", "cb_start",
                                                                          "cb_safe", "cb_unsafe"],
         "locked_out": ["greeting", "main_menu", "case_start", "case_entry", "case_lookup", "case_locked"],
         "error": ["greeting"]}
RATINGS = (5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1)  # skewed positive
COMMENTS = ("Very kind and kept me informed.", "Took a long time to hear back.", "Thank you for listening.",
            "I did not understand what happens next.", "The officer explained everything clearly.")
CHUNK = 20000


def _ts(dialect: str, value):
    """A value as the database stores it (UTCDateTime: UTC; SQLite keeps text)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
        return value if dialect == "postgresql" else value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


class Writer:
    def __init__(self, url: str):
        self.url = url
        self.dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        from models.db import engine_for

        self.engine = engine_for(url)
        self.rows = 0

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        rows = [tuple(_ts(self.dialect, v) for v in row) for row in rows]
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            if self.dialect == "postgresql":
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            raw.commit()
        finally:
            raw.close()
        self.rows += len(rows)

    def scalar(self, sql: str):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    def analyze(self) -> None:
        """Statistics, and on PostgreSQL the visibility map too: a server in service
        runs autovacuum, which sets it on every settled page, and index-only scans
        (the KPIs read the calls only through ``ix_calls_kpi``) depend on it."""
        from sqlalchemy import text

        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            return
        with self.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _moment(rng: random.Random, now: datetime) -> datetime:
    """A London time in the year before today, mostly in the desk's hours: never
    today, so no call (nor its callback attempts hours later) lies in the future."""
    day = (now.astimezone(LONDON) - timedelta(days=1 + rng.randrange(365))).date()
    hour = rng.choice((8, 9, 9, 10, 10, 10, 11, 11, 12, 12, 13, 14, 14, 15, 15, 16, 17, 18, 19, 21, 2))
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                    rng.randrange(1000000), tzinfo=LONDON)


def mobile(n: int) -> str:
    return f"+447{700000000 + n % 299999999:09d}"


def ensure_agents(w: Writer, now: datetime) -> None:
    if w.scalar("SELECT count(*) FROM agents"):
        return
    w.write("agents", ["name", "phone", "client_identity", "skills", "state", "state_changed_at",
                       "missed_in_a_row", "created_at"],
            [(f"Desk agent {i:02d}", None, f"agent{i:02d}", ["en"] + (["pl"] if i % 8 == 0 else []),
              "offline", now, 0, now - timedelta(days=400)) for i in range(1, AGENTS + 1)])


def today_moment(rng: random.Random, now: datetime) -> datetime:
    """A London time today between 08:00 and an hour ago: today's calls so far."""
    start = datetime.combine(now.astimezone(LONDON).date(), datetime.min.time(), LONDON) + timedelta(hours=8)
    return start + timedelta(seconds=rng.random() * max(0.0, (now - timedelta(hours=1) - start).total_seconds()))


def calls_today(size: int, now: datetime) -> int:
    """How many calls a desk taking SIZE calls a year has had today by NOW (its day runs
    08:00-20:00; none before 09:00, so every call has ended)."""
    opened = datetime.combine(now.astimezone(LONDON).date(), datetime.min.time(), LONDON) + timedelta(hours=8)
    hours = (now - opened).total_seconds() / 3600
    return int(size / 365 * min(1.0, hours / 12)) if hours >= 1 else 0


def add_offers(w: Writer, since: datetime | None = None) -> int:
    """An agent's offer for every connected call (put through SINCE, if given): answered as
    the caller was put through, ended with the call, so the wallboard's calls per agent
    today and the agent activity report's calls have rows to count.  Written in the
    calls' order, as a service appends them."""
    from sqlalchemy import text

    after = "AND e.at >= :since" if since else ""
    with w.engine.begin() as conn:
        done = conn.execute(text(
            "INSERT INTO agent_offers (agent_id, kind, status, agent_call_sid, caller_call_sid, outcome, created_at,"
            " answered_at, ended_at)"
            " SELECT e.agent_id, 'queue', 'ended', 'CO' || substr(e.call_sid, 3), e.call_sid, 'completed', e.at, e.at,"
            " c.at FROM call_events e JOIN call_events c ON c.call_sid = e.call_sid AND c.event = 'completed'"
            f" WHERE e.event = 'connected' AND e.agent_id IS NOT NULL {after} ORDER BY e.at"),
            {"since": _ts(w.dialect, since)} if since else {}).rowcount
    w.rows += done
    return done


def add_agent_states(w: Writer, rng: random.Random, now: datetime, days: int = 365) -> int:
    """Each agent's states over the last DAYS days and today so far: five shifts a week
    inside the desk's hours, alternating available, busy and wrap-up, offline between
    shifts; an agent on shift now keeps an open interval (and that state)."""
    today = now.astimezone(LONDON).date()
    rows, written = [], 0
    current: dict[int, tuple[str, datetime]] = {}
    for agent in range(1, AGENTS + 1):
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            if (day.toordinal() + agent) % 7 in (0, 1):
                continue  # two days off a week
            at = datetime.combine(day, datetime.min.time(), LONDON) + timedelta(hours=8, minutes=rng.randrange(60))
            end = at + timedelta(hours=7, minutes=rng.randrange(60))
            while at < end and at < now:
                for state, mean in (("available", 240), ("busy", 300), ("wrap_up", 60)):
                    until = at + timedelta(seconds=int(rng.expovariate(1 / mean)) + 5)
                    if until >= now:
                        rows.append((agent, state, at, None))
                        current[agent] = (state, at)
                        at = end
                        break
                    rows.append((agent, state, at, until))
                    at = until
            if at < now and agent not in current:
                rows.append((agent, "offline", at, None if back == 0 else at + timedelta(hours=14)))
            if len(rows) >= CHUNK:
                w.write("agent_state_intervals", ["agent_id", "state", "started_at", "ended_at"], rows)
                written, rows = written + len(rows), []
    w.write("agent_state_intervals", ["agent_id", "state", "started_at", "ended_at"], rows)
    written += len(rows)
    from sqlalchemy import text

    with w.engine.begin() as conn:
        for agent, (state, since) in current.items():
            conn.execute(text("UPDATE agents SET state = :state, state_changed_at = :since WHERE id = :id"),
                         {"state": state, "since": _ts(w.dialect, since), "id": agent})
    return written


def add_calls(w: Writer, count: int, rng: random.Random, now: datetime, moment=None) -> None:
    start = w.scalar("SELECT count(*) FROM calls") or 0
    first_cb = (w.scalar("SELECT max(id) FROM callback_requests") or 0) + 1
    outcomes = [o for o, weight, _ in OUTCOMES for _ in range(weight)]
    queued = {o for o, _, q in OUTCOMES if q}
    # Out of hours the line says the desk is closed: nobody queues, nobody is put through.
    closed_outcomes = [o for o in outcomes if o not in queued and o != "callback_unsafe"]
    # Written oldest first, as a service appends its calls: a day's calls (and their
    # events and callbacks) then sit on neighbouring pages, not scattered over the table.
    moments = sorted((moment or _moment)(rng, now) for _ in range(count))
    for base in range(start, start + count, CHUNK):
        calls, events, callbacks, attempts = [], [], [], []
        for i in range(base, min(base + CHUNK, start + count)):
            sid = f"CA{i:032x}"
            started = moments[i - start]
            outcome = rng.choice(outcomes if is_open(started) else closed_outcomes)
            # A timeline the service could have recorded: the caller joins the queue 35 s
            # in, waits, then talks (connected) or leaves; the call ends after all that.
            joined = started + timedelta(seconds=35) if outcome in queued else None
            wait = int(rng.expovariate(1 / 120)) if joined else None
            if joined:
                after = int(rng.expovariate(1 / 300)) + 30 if outcome == "connected" else rng.randrange(1, 20)
                ended = joined + timedelta(seconds=wait + after)
            else:
                ended = started + timedelta(seconds=int(rng.expovariate(1 / 300)) + 15)
            duration = int((ended - started).total_seconds())
            agent = rng.randrange(1, AGENTS + 1) if outcome == "connected" else None
            caller = None if rng.random() < 0.03 else mobile(rng.randrange(count * 6 // 10 + 10))
            language = "pl" if rng.random() < 0.08 else "en"
            path = PATHS[outcome]
            state = {"node": path[-1], "language": language, "path": path, "inputs": len(path) - 2,
                     "vars": {}, "outcome": outcome, "started_at": started.isoformat()}
            calls.append((sid, caller, common.DESK_NUMBER, "inbound", started, ended, duration, language, path,
                          "completed", 4, 3, ended, outcome, joined, None, wait, agent, None, state, ended))
            if joined:
                events.append((sid, "entered", joined, 1 + rng.randrange(6), None, None))
                for k in range(max(0, (wait or 0) // 60)):
                    events.append((sid, "position_announced", joined + timedelta(seconds=60 * (k + 1)),
                                   1 + rng.randrange(4), None, None))
                left = joined + timedelta(seconds=wait or 0)
                if outcome == "connected":
                    events.append((sid, "connected", left, None, wait, agent))
                    events.append((sid, "completed", ended, None, wait, agent))
                elif outcome == "abandoned":
                    events.append((sid, "abandoned", left, None, wait, None))
                else:
                    events.append((sid, "exit_with_key", left, None, wait, None))
            if outcome == "callback_requested":
                cb_id = first_cb + len(callbacks)
                status = rng.choice(("completed",) * 16 + ("failed", "failed", "cancelled", "pending"))
                tries = 1 if status in ("completed", "pending") and rng.random() < 0.7 else rng.randint(1, 3)
                tries = 0 if status == "pending" else tries
                window = rng.choice((None, None, ("08:00", "12:00"), ("12:00", "16:00"), ("16:00", "20:00")))
                callbacks.append((cb_id, sid, caller or mobile(i), True, rng.random() < 0.6,
                                  window and window[0], window and window[1], joined, ended, language,
                                  None, status, tries, None, status if status != "pending" else None,
                                  rng.randrange(1, AGENTS + 1) if tries else None))
                # attempts only in the past: one that would lie ahead stays pending
                while tries and ended + timedelta(minutes=20 + 60 * (tries - 1), seconds=240) > now:
                    tries, status = tries - 1, "pending"
                if status == "pending":
                    callbacks[-1] = callbacks[-1][:11] + ("pending", tries, None, None,
                                                          callbacks[-1][15] if tries else None)
                for n in range(1, tries + 1):
                    at = ended + timedelta(minutes=20 + 60 * (n - 1))
                    done = n == tries and status == "completed"
                    attempts.append((cb_id, n, at, rng.randrange(1, AGENTS + 1), f"CA{i:016x}{n:016x}",
                                     f"CB{i:016x}{n:016x}", "completed" if done else "no-answer",
                                     at + timedelta(seconds=240 if done else 25)))
        w.write("calls", ["call_sid", "caller", "called", "direction", "started_at", "ended_at",
                          "duration_seconds", "language", "path", "status", "status_rank", "status_sequence",
                          "status_at", "outcome", "queue_joined_at", "waiting_since", "wait_seconds", "agent_id",
                          "verified_case_id", "state", "updated_at"], calls)
        w.write("call_events", ["call_sid", "event", "at", "position", "wait_seconds", "agent_id"], events)
        first_cb += len(callbacks)
        w.write("callback_requests", ["id", "call_sid", "phone", "safe_to_call", "voicemail_allowed",
                                      "window_start", "window_end", "queue_joined_at", "requested_at", "language",
                                      "verified_case_id", "status", "attempts", "next_attempt_at", "last_outcome",
                                      "agent_id"], callbacks)
        w.write("callback_attempts", ["callback_id", "attempt_no", "started_at", "agent_id", "agent_call_sid",
                                      "victim_call_sid", "outcome", "ended_at"], attempts)
    if w.dialect == "postgresql":  # ids were given explicitly: move the sequence past them
        w.scalar("SELECT setval('callback_requests_id_seq', (SELECT coalesce(max(id), 1) FROM callback_requests))")


def add_surveys(w: Writer, count: int, rng: random.Random, now: datetime) -> None:
    start = w.scalar("SELECT count(*) FROM engagements") or 0
    first_id = (w.scalar("SELECT max(id) FROM engagements") or 0) + 1
    for base in range(start, start + count, CHUNK):
        engagements, surveys = [], []
        for i in range(base, min(base + CHUNK, start + count)):
            eid = first_id + (i - start)
            officer = rng.randrange(OFFICERS)
            occurred = _moment(rng, now)
            phone = mobile(10_000_000 + i)
            engagements.append((eid, None, f"MP{officer:05d}", f"PC {officer:05d}", BOROUGHS[officer % len(BOROUGHS)],
                                phone, f"CR/{i % 1000000:06d}/{occurred.year % 100:02d}", occurred, occurred))
            invited = occurred + timedelta(hours=1)
            expires = invited + timedelta(days=7)
            suppressed = rng.random() < 0.04
            roll = rng.random()
            rating = rated_at = via = comment = comment_at = None
            if suppressed:
                status = "awaiting_rating"
            elif roll < 0.62 and (when := invited + timedelta(minutes=rng.randrange(5, 2000))) < now:
                status, rating = "completed", rng.choice(RATINGS)  # (none given in the future: still waiting)
                rated_at, via = when, rng.choice(("sms",) * 4 + ("web",))
                if rng.random() < 0.3:
                    comment, comment_at = rng.choice(COMMENTS), rated_at + timedelta(minutes=3)
            elif roll < 0.66:
                status = "unanswered"
            else:
                status = "awaiting_rating"  # never answered: reported as expired once past expires_at
            surveys.append((eid, phone, status, "suppressed" if suppressed else "scheduled",
                            "opted_out" if suppressed else None, False, invited, expires, rating, rated_at, via,
                            comment, comment_at, occurred, rated_at or invited))
        w.write("engagements", ["id", "client_key", "officer_id", "officer_name", "borough", "victim_phone",
                                "crime_reference", "occurred_at", "created_at"], engagements)
        w.write("surveys", ["engagement_id", "phone", "status", "invitation", "suppressed_reason", "reprompted",
                            "invited_at", "expires_at", "rating", "rated_at", "rated_via", "comment", "comment_at",
                            "created_at", "updated_at"], surveys)
    if w.dialect == "postgresql":
        w.scalar("SELECT setval('engagements_id_seq', (SELECT coalesce(max(id), 1) FROM engagements))")


INBOX_PER_CALL = 0.02  # texts filed in the desk inbox, per call
AUDIT_PER_CALL = 0.2  # audit log entries (staff viewing a call, a callback, a case), per call
STAFF = 60


def add_inbox(w: Writer, count: int, rng: random.Random, now: datetime) -> None:
    """Texts victims sent the desk (services/inbox.py): all but the last day's are done,
    a few of the rest urgent and unread."""
    first = (w.scalar("SELECT max(id) FROM inbox_messages") or 0) + 1
    moments = sorted(_moment(rng, now) for _ in range(count))
    rows = []
    for n, at in enumerate(moments):
        recent = now - at < timedelta(days=2)
        status = rng.choice(("new", "assigned")) if recent else "done"
        staff = rng.randrange(1, STAFF + 1)
        read = at + timedelta(minutes=rng.randrange(1, 120)) if status != "new" or rng.random() < 0.5 else None
        rows.append((first + n, f"SM{first + n:032x}", mobile(rng.randrange(count * 5 + 10)), "Please call me back.",
                     at, rng.choice(("free_text", "free_text", "after_survey", "survey_unclear")),
                     rng.random() < 0.05, None, [], False, status, staff if status != "new" else None, read,
                     read + timedelta(minutes=10) if status == "done" and read else None,
                     staff if status == "done" else None))
        if len(rows) == CHUNK or n == count - 1:
            w.write("inbox_messages", ["id", "message_sid", "phone", "body", "received_at", "reason", "urgent",
                                       "survey_id", "case_ids", "acknowledged", "status", "assigned_to", "read_at",
                                       "done_at", "done_by"], rows)
            rows = []
    if w.dialect == "postgresql":
        w.scalar("SELECT setval('inbox_messages_id_seq', (SELECT coalesce(max(id), 1) FROM inbox_messages))")


def add_invitations(w: Writer) -> int:
    """Each survey's text invitation in the outbox (services/surveys.py), delivered when
    it was sent, so response rates and the KPIs' text delivery have rows to count."""
    from sqlalchemy import text

    with w.engine.begin() as conn:
        done = conn.execute(text(
            "INSERT INTO outbound_messages (purpose, dedupe_key, channel, to_number, from_number, body, status,"
            " attempts, uncertain, created_at, updated_at, sent_at, delivered_at)"
            " SELECT 'survey_invite', CAST(s.id AS VARCHAR(100)), 'sms', s.phone, :desk, 'How did we do?',"
            " 'delivered', 1, :no, s.invited_at, s.invited_at, s.invited_at, s.invited_at"
            " FROM surveys s WHERE s.invitation != 'suppressed' AND s.invited_at IS NOT NULL"),
            {"desk": common.DESK_NUMBER, "no": False}).rowcount
        # delivered: reached the victim (models/surveys.invitation_reached), which the response rates count
        conn.execute(text("UPDATE surveys SET channel = 'sms', reached_at = invited_at"
                          " WHERE invitation != 'suppressed' AND invited_at IS NOT NULL"))
    w.rows += done
    return done


def add_audit(w: Writer, count: int, rng: random.Random, now: datetime, pseudonym) -> None:
    """Staff viewing calls and callbacks (console/audit.py), oldest first, with the
    caller's keyed pseudonym (PSEUDONYM: desk.redact.pseudonym under the app's key)."""
    calls = w.scalar("SELECT max(id) FROM calls") or 1
    moments = sorted(_moment(rng, now) for _ in range(count))
    rows = []
    for n, at in enumerate(moments):
        staff = rng.randrange(1, STAFF + 1)
        kind = rng.choice(("call", "call", "call", "callback", "screen_pop"))
        phone = mobile(rng.randrange(calls * 6 // 10 + 10))
        rows.append((at, staff, f"staff{staff:02d}@desk.example.org", f"view_{kind}",
                     f"{kind}:{rng.randrange(1, calls + 1)}", None, pseudonym(phone), None))
        if len(rows) == CHUNK or n == count - 1:
            w.write("audit_log", ["at", "staff_id", "staff_email", "action", "subject", "why", "phone_pseudonym",
                                  "case_id"], rows)
            rows = []


def grow(url: str, calls: int, surveys: int, seed: int = 11) -> dict:
    """Add CALLS calls and SURVEYS engagements (with surveys); returns counts and timing."""
    w = Writer(url)
    rng, now = random.Random(seed + calls), datetime.now(UTC)
    started = time.monotonic()
    ensure_agents(w, now)
    add_calls(w, calls, rng, now)
    add_surveys(w, surveys, rng, now)
    w.analyze()
    took = time.monotonic() - started
    return {"rows_written": w.rows, "seconds": took, "rows_per_second": w.rows / took if took else None,
            "calls": w.scalar("SELECT count(*) FROM calls"), "surveys": w.scalar("SELECT count(*) FROM surveys")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--surveys", type=int, default=500_000)
    parser.add_argument("--name", default="scale",
                        help="database: bench/.data/NAME/desk.sqlite3 or PostgreSQL bench_desk_NAME")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    url = common.fresh_database(args.db, args.name) if args.fresh else database_url(args.db, args.name)
    print(json.dumps(grow(url, args.calls, args.surveys), indent=2))


def database_url(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{common.DATA / name / 'desk.sqlite3'}"
    return f"{common.PG_SERVER}/bench_desk_{name}"


if __name__ == "__main__":
    main()
