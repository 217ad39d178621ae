"""Reporting queries at scale: the call log (GET /api/v1/calls), the surveys list
(GET /api/v1/surveys) and the ratings summary (GET /api/v1/ratings/summary), called
through the app with a bearer token as an integration would, on a database grown by
bench/generate.py from 10k to 100k to 1M calls (and half as many surveys).

    .venv/bin/python bench/scale.py --db sqlite
    .venv/bin/python bench/scale.py --db postgresql

Each query runs --repeats times with varied filters (random days, months, outcomes,
boroughs, officers, deep cursors); p50 and p95 are per query and size.  Before
measuring, the nightly jobs that keep settled KPI days and rating counts run once, as
in service (their seconds are printed and kept in the result; --cold skips them).
Target: p95 under 200 ms per page at 1M calls / 500k surveys.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import generate  # noqa: E402

TARGET_MS = 200.0
OUTCOMES = [o for o, _, _ in generate.OUTCOMES]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Queries:
    """Each query: a function of (rng) giving the URL to ask for."""

    def __init__(self, app, rng: random.Random):
        self.app, self.rng = app, rng
        self.today = datetime.now(UTC).date()

    def day(self) -> str:
        return str(self.today - timedelta(days=self.rng.randrange(365)))

    def month(self) -> tuple[str, str]:
        start = self.today - timedelta(days=30 + self.rng.randrange(330))
        return str(start), str(start + timedelta(days=30))

    def cursors(self, n: int) -> list[str]:
        """Cursors of pages deep in the log (as a client paging through would hold)."""
        from sqlmodel import select

        from api.calls import encode_cursor
        from models.calls import Call
        from models.db import session

        total = session().exec(select(__import__("sqlalchemy").func.count(Call.id))).one()
        out = []
        for _ in range(n):
            call = session().exec(select(Call).order_by(Call.started_at.desc(), Call.id.desc())
                                  .offset(self.rng.randrange(max(1, total - 50))).limit(1)).one()
            out.append(encode_cursor(call))
        return out

    def deep_callback_pages(self, n: int) -> list[str]:
        """Pages of 100 completed callbacks up to 100,000 deep, by cursor (as a client paging
        through would hold them), or by offset where the API has no cursor (older code)."""
        from sqlmodel import select

        from api import cursors
        from api.callbacks import CallbackFilters
        from models.callbacks import CallbackRequest
        from models.db import session

        page = "/api/v1/callbacks?status=completed&limit=100"
        if "cursor" not in CallbackFilters.model_fields:
            return [f"{page}&offset={self.rng.randrange(100_000)}" for _ in range(n)]
        out = []
        with self.app.app_context():
            for _ in range(n):
                row = session().exec(select(CallbackRequest.queue_joined_at, CallbackRequest.id)
                                     .where(CallbackRequest.status == "completed")
                                     .order_by(CallbackRequest.queue_joined_at, CallbackRequest.id)
                                     .offset(self.rng.randrange(100_000)).limit(1)).first()
                out.append(f"{page}&cursor={cursors.encode('callbacks', *row)}" if row else page)
        return out

    def survey_cursors(self, n: int, total: int) -> list[str]:
        """Cursors of survey pages at random depths (the API pages by cursor, not offset)."""
        from sqlmodel import select

        from api import cursors
        from models.db import session
        from models.surveys import Engagement, Survey

        out = []
        for _ in range(n):
            survey, engagement = session().exec(
                select(Survey, Engagement).join(Engagement, Survey.engagement_id == Engagement.id)
                .order_by(Engagement.occurred_at.desc(), Survey.id.desc())
                .offset(self.rng.randrange(max(1, total - 100))).limit(1)).one()
            out.append(cursors.encode("surveys", engagement.occurred_at, survey.id))
        return out

    def build(self, repeats: int, survey_total: int) -> dict[str, list[str]]:
        r = self.rng
        with self.app.app_context():
            cursors = self.cursors(repeats)
            survey_cursors = self.survey_cursors(repeats, survey_total)
        months = [self.month() for _ in range(repeats)]
        return {
            "calls: newest page (50)": ["/api/v1/calls?limit=50"] * repeats,
            "calls: newest page (500)": ["/api/v1/calls?limit=500"] * repeats,
            "calls: one day": [f"/api/v1/calls?from={d}&to={d}" for d in (self.day() for _ in range(repeats))],
            "calls: month + outcome": [f"/api/v1/calls?from={a}&to={b}&outcome={r.choice(OUTCOMES)}"
                                       for a, b in months],
            "calls: rare outcome, all time": ["/api/v1/calls?outcome=locked_out"] * repeats,
            "calls: deep cursor page": [f"/api/v1/calls?cursor={c}" for c in cursors],
            "surveys: newest page (100)": ["/api/v1/surveys"] * repeats,
            "surveys: borough + month": [f"/api/v1/surveys?borough={r.choice(generate.BOROUGHS)}&from={a}&to={b}"
                                         for a, b in months],
            "surveys: one officer": [f"/api/v1/surveys?officer_id=MP{r.randrange(generate.OFFICERS):05d}"
                                     for _ in range(repeats)],
            "surveys: deep cursor page": [f"/api/v1/surveys?cursor={c}" for c in survey_cursors],
            "ratings: whole year": ["/api/v1/ratings/summary"] * repeats,
            "ratings: one borough": [f"/api/v1/ratings/summary?borough={r.choice(generate.BOROUGHS)}"
                                     for _ in range(repeats)],
            "ratings: one month": [f"/api/v1/ratings/summary?from={a}&to={b}" for a, b in months],
            "callbacks: pending, in order": ["/api/v1/callbacks?status=pending"] * repeats,
            "callbacks: completed, a deep page": self.deep_callback_pages(repeats),
            "callbacks: due in a day": [f"/api/v1/callbacks?due_after={d}T00:00:00&due_before={d}T23:59:59"
                                        for d in (self.day() for _ in range(repeats))],
        }


def measure(client, headers: dict, urls: list[str]) -> dict:
    client.get(urls[0], headers=headers)  # warm caches once, like a page already in use
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "max_ms": max(times),
            "mean_ms": statistics.fmean(times), "runs": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="calls stored at each step")
    parser.add_argument("--survey-ratio", type=float, default=0.5, help="surveys per stored call")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--reuse", action="store_true",
                        help="use databases generate.py already filled (--name scale_SIZE) when their counts match")
    parser.add_argument("--skip-api", action="store_true", help="measure only the console's report functions")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases afterwards")
    parser.add_argument("--redis-url", default=common.DEFAULT_REDIS,
                        help="Redis for the app (nothing is flushed; the API's rate limits count there)")
    parser.add_argument("--cold", action="store_true",
                        help="skip the nightly jobs that keep settled KPI days and rating counts before measuring")
    args = parser.parse_args()

    rng = random.Random(5)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, dict] = {}
    growth = []
    for size in sizes:
        surveys = int(size * args.survey_ratio)
        name = f"scale_{size}"
        url = generate.database_url(args.db, name)
        counts = existing_counts(url) if args.reuse else None
        if args.reuse and counts is not None and counts != (size, surveys):
            sys.exit(f"--reuse: {name} holds {counts[0]:,} calls before today and {counts[1]:,} surveys, not "
                     f"{size:,} and {surveys:,}; leaving it as it is (run without --reuse to make it afresh)")
        if counts == (size, surveys):
            from models import migrate

            migrate.upgrade(url)  # indexes added by migrations since the data was generated
            grown = {"calls": size, "surveys": surveys, "reused": True}
        else:
            url = common.fresh_database(args.db, name)
            grown = generate.grow(url, size, surveys)
            print(f"{args.db}: generated {grown['rows_written']:,} rows in {grown['seconds']:.0f}s", flush=True)
        growth.append({"database": name, **grown})
        os.environ["DATABASE_URL"] = url  # wsgi builds its module-level app from the environment
        from models.tokens import SCOPES
        from services.api_tokens import issue_token
        from wsgi import create_app

        app = create_app({"DATABASE_URL": url, "REDIS_URL": args.redis_url, "SECRET_KEY": "bench",
                          "PUBLIC_BASE_URL": common.PUBLIC_BASE_URL,
                          "INSTANCE_PATH": str(common.DATA / "instance")})
        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            token = issue_token(f"bench-scale-{time.time_ns()}", scopes=SCOPES)
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        print(f"{args.db}: {size:,} calls, {surveys:,} surveys", flush=True)
        growth[-1]["extras"] = add_extras(app, url, size)
        if not args.cold:
            growth[-1]["nightly_seconds"] = run_nightly(app)
        if not args.skip_api:
            for query, urls in Queries(app, rng).build(args.repeats, surveys).items():
                m = measure(client, headers, urls)
                results.setdefault(query, {})[str(size)] = m
                print(f"  {query:32s} p50 {m['p50_ms']:8.1f} ms   p95 {m['p95_ms']:8.1f} ms", flush=True)
        for query, calls in report_calls(rng, args.repeats).items():
            with app.app_context():
                m = measure_calls(calls)
            results.setdefault(query, {})[str(size)] = m
            print(f"  {query:32s} p50 {m['p50_ms']:8.1f} ms   p95 {m['p95_ms']:8.1f} ms", flush=True)

    print()
    head = ["query"] + [f"p95 @{s // 1000}k" for s in sizes] + [f"p50 @{sizes[-1] // 1000}k",
                                                                  f"x{sizes[-1] // sizes[0]} rows", "target"]
    rows = []
    for name, by_size in results.items():
        first, last = by_size[str(sizes[0])]["p95_ms"], by_size[str(sizes[-1])]["p95_ms"]
        rows.append([name] + [by_size[str(s)]["p95_ms"] for s in sizes] + [by_size[str(sizes[-1])]["p50_ms"],
                    f"x{last / first:.1f} time", "ok" if last < TARGET_MS else "MISSES"])
    print(f"{args.db}, milliseconds per page (p95 over {args.repeats} varied runs):")
    print(common.table(head, rows))
    missed = [name for name, by in results.items() if by[str(sizes[-1])]["p95_ms"] >= TARGET_MS]
    print(f"\nmissing p95 < {TARGET_MS:.0f} ms at {sizes[-1]:,} calls: {', '.join(missed) or 'none'}")
    path = common.write_result(f"scale-{args.db}", {"db": args.db, "sizes": sizes, "growth": growth,
                                                     "queries": results, "missed": missed,
                                                     })
    print(f"result: {path.relative_to(common.ROOT)}")
    if args.db == "postgresql" and not args.keep:
        for size in sizes:
            common.drop_pg(f"bench_desk_scale_{size}")


def run_nightly(app) -> dict[str, float]:
    """The periodic jobs that keep settled figures (workers/periodic.py), run once as in
    service, where they have run before anyone looks; returns seconds per job."""
    import importlib

    from workers.periodic import PERIODIC

    took = {}
    # retention: in service it expires callbacks still pending after CALLBACK_EXPIRY_DAYS,
    # so the pending ones the generator leaves behind are as many as a desk would hold
    for name in ("retention", "kpi-days", "rating-rollups"):
        if name not in PERIODIC:
            continue
        module, _, func = PERIODIC[name][0].partition(":")
        started = time.perf_counter()
        with app.app_context():
            getattr(importlib.import_module(module), func)()
        took[name] = round(time.perf_counter() - started, 1)
        print(f"  nightly job {name}: {took[name]:.1f}s", flush=True)
        if name == "retention" and app.config["DATABASE_URL"].startswith("postgresql"):
            # the statistics autovacuum would refresh after the job's updates (this
            # server runs without it): the planner must know how few callbacks are pending
            with app.app_context():
                db = __import__("models.db", fromlist=["session"]).session()
                db.execute(__import__("sqlalchemy").text("ANALYZE callback_requests"))
                db.commit()
    return took


def add_extras(app, url: str, size: int) -> dict:
    """Desk inbox texts, survey invitations and audit log entries, added once
    (a database generated before generate.py wrote them gets them here)."""
    from desk.redact import pseudonym

    w, rng, now, added = generate.Writer(url), random.Random(size + 3), datetime.now(UTC), {}
    started = time.monotonic()
    if not w.scalar("SELECT count(*) FROM inbox_messages"):
        generate.add_inbox(w, int(size * generate.INBOX_PER_CALL), rng, now)
        added["inbox_messages"] = int(size * generate.INBOX_PER_CALL)
    if not w.scalar("SELECT count(*) FROM outbound_messages WHERE purpose = 'survey_invite'"):
        added["survey_invitations"] = generate.add_invitations(w)
    today = generate.calls_today(size, now)
    midnight = datetime.combine(now.astimezone(generate.LONDON).date(), datetime.min.time(), generate.LONDON)
    stamp = generate._ts(w.dialect, midnight)
    if today and not w.scalar(f"SELECT count(*) FROM calls WHERE started_at >= '{stamp}'"):
        generate.add_calls(w, today, rng, now, moment=generate.today_moment)  # today so far, for the wallboard
        added["calls_today"] = today
    if not w.scalar("SELECT count(*) FROM agent_offers"):
        added["agent_offers"] = generate.add_offers(w)
    elif "calls_today" in added:
        added["agent_offers"] = generate.add_offers(w, since=midnight)
    if not w.scalar("SELECT count(*) FROM agent_state_intervals"):
        added["agent_state_intervals"] = generate.add_agent_states(w, rng, now)
    if not w.scalar("SELECT count(*) FROM audit_log"):
        with app.app_context():
            generate.add_audit(w, int(size * generate.AUDIT_PER_CALL), rng, now, pseudonym)
        added["audit_log"] = int(size * generate.AUDIT_PER_CALL)
    if added:
        w.analyze()
        added["seconds"] = round(time.monotonic() - started, 1)
        print(f"  added {added}", flush=True)
    return added


def existing_counts(url: str) -> tuple[int, int] | None:
    from sqlalchemy import create_engine, text

    # the year's history (generate.py), not today's calls that add_extras adds
    midnight = datetime.combine(datetime.now(UTC).astimezone(generate.LONDON).date(), datetime.min.time(),
                                generate.LONDON)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            found = (conn.execute(text("SELECT count(*) FROM calls WHERE started_at < :midnight"),
                                  {"midnight": generate._ts(engine.dialect.name, midnight)}).scalar(),
                     conn.execute(text("SELECT count(*) FROM surveys")).scalar())
        engine.dispose()
        return found
    except Exception:  # no such database or tables: generate it
        return None


def report_calls(rng: random.Random, repeats: int) -> dict:
    """The supervisor console's report functions (console/supervisor/reports), when present:
    name -> callables taking the session."""
    try:
        from reports import agent_activity, audit_search, calllog, intervals, journey, kpis, ratings, wallboard
        from reports.london import DayRange
        from services import inbox
    except ImportError:
        return {}
    from desk.clock import LONDON

    today = datetime.now(UTC).date()

    def month():
        first = today - timedelta(days=30 + rng.randrange(330))
        return DayRange(first, first + timedelta(days=30))

    def at(day):
        return datetime.combine(day, datetime.min.time(), LONDON)

    year = DayRange(today - timedelta(days=364), today)

    def stage_split(db, days):
        """What the ratings page pays for its split by stage: from the kept counts it
        reads anyway where they carry the stage (migration 0701), else counted live."""
        if hasattr(journey, "stage_ratings"):
            return ratings.rating_counts(db, ratings.RatingFilters(days)).stages
        return journey.ratings_by_stage(db, journey.Scope(days.start, days.end, by_rated_at=True))

    def response_rates(db, days):
        """What the ratings page pays for its response rates: from the kept counts where
        there are any (migration 0720), else counted live."""
        if hasattr(ratings, "response_rates"):
            return ratings.response_rates(db, ratings.RatingFilters(days))
        return journey.response_rates(db, journey.Scope(days.start, days.end))

    out = {"console: wallboard": [lambda db: wallboard.wallboard(db, datetime.now(UTC))] * repeats,
           "console: call page, month+outcome": [], "console: KPIs by day, a month": [],
           "console: KPIs by week, a year": [lambda db: kpis.kpis(db, year, period="week")] * repeats,
           "console: ratings page, a year": [lambda db: ratings.rating_counts(db, ratings.RatingFilters(year))] * repeats,
           # the page's other aggregate: the mean rating per week
           "console: ratings trend, a year":
               [lambda db: ratings.weekly_trend(db, ratings.RatingFilters(year))] * repeats,
           "console: ratings page, a month": [], "console: comments, a month": [],
           "console: intervals per hour of day, a year":
               [lambda db: intervals.intervals(db, year, "hour", 60)] * repeats,
           "console: intervals per 30 minutes, a month": [], "console: intervals per 15 minutes, a month": [],
           "console: agent activity, a month": [],
           # the ratings page's other figures (console/supervisor/views_ratings.py)
           "console: ratings by stage, a year": [lambda db: stage_split(db, year)] * repeats,
           "console: ratings by stage, a month": [],
           "console: response rates, a year": [lambda db: response_rates(db, year)] * repeats,
           "console: audit log, newest page": [lambda db: audit_search.page(
               db, audit_search.AuditFilters(), None, 50)] * repeats,
           "console: audit log, by phone": [], "console: audit log, staff + month": [],
           "console: inbox, new": [lambda db: inbox.listing(db, "new", None)] * repeats,
           "console: inbox, done": [lambda db: inbox.listing(db, "done", None)] * repeats,
           "console: inbox, counts": [lambda db: inbox.counts(db, 1)] * repeats}
    for _ in range(repeats):
        m, outcome = month(), rng.choice(OUTCOMES)
        out["console: call page, month+outcome"].append(lambda db, m=m, o=outcome: calllog.call_page(
            db, calllog.CallFilters(start=at(m.first), end=at(m.last), outcome=o)))
        out["console: KPIs by day, a month"].append(lambda db, m=m: kpis.kpis(db, m, period="day"))
        out["console: ratings page, a month"].append(lambda db, m=m: ratings.rating_counts(db, ratings.RatingFilters(m)))
        out["console: comments, a month"].append(lambda db, m=m: ratings.comments(db, ratings.RatingFilters(m)))
        out["console: intervals per 30 minutes, a month"].append(lambda db, m=m: intervals.intervals(db, m, "30", 60))
        out["console: agent activity, a month"].append(
            lambda db, m=m: agent_activity.agent_activity(db, m, datetime.now(UTC)))
        out["console: intervals per 15 minutes, a month"].append(lambda db, m=m: intervals.intervals(db, m, "15", 60))
        out["console: ratings by stage, a month"].append(lambda db, m=m: stage_split(db, m))
        phone = generate.mobile(rng.randrange(600_000))
        out["console: audit log, by phone"].append(lambda db, p=phone: audit_search.page(
            db, audit_search.AuditFilters(phone=p), None, 50))
        staff = f"staff{1 + rng.randrange(generate.STAFF):02d}@desk.example.org"
        out["console: audit log, staff + month"].append(lambda db, s=staff, m=m: audit_search.page(
            db, audit_search.AuditFilters(staff=s, days=m), None, 50))
    return out


def measure_calls(calls: list) -> dict:
    from models.db import session

    db = session()
    calls[0](db)
    times = []
    for call in calls:
        started = time.perf_counter()
        call(db)
        times.append((time.perf_counter() - started) * 1000)
        db.rollback()  # each call on a fresh transaction, like a page view
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "max_ms": max(times),
            "mean_ms": statistics.fmean(times), "runs": len(times)}


if __name__ == "__main__":
    main()
