"""Where one outbox send's time goes inside RQ's forked work horse.

Runs a real forking RQ worker (rq.Worker, as `flask --app wsgi worker` does) in this
process against the fake Twilio API (bench/fake_twilio_server.py, its own process),
first over no-op jobs, then over outbox send jobs, and records for every job:

- fork -> horse start -> job.perform start -> job.perform end -> horse exit -> reaped,
  as seen from the parent and the horse (wall clock, same machine);
- a cProfile of the horse's whole perform_job (RQ's bookkeeping included), one
  .prof file per job, merged into one summary at the end.

    .venv/bin/python bench/profile_send.py --db sqlite --messages 100            # cProfile per horse
    .venv/bin/python bench/profile_send.py --db sqlite --messages 100 --steps    # the send's steps, timed
    .venv/bin/python bench/profile_send.py --db postgresql --per-commit 100 --steps --workers 2

Everything goes to bench/.data/profile-send-<db>/: <label>-timings.json per job,
<label>-merged.prof and summary.txt (the mean phases, the send's steps with --steps,
the top functions by cumulative and own time).  Use --redis-url to keep off a Redis
database another benchmark is flushing.
It measures; it does not judge: see "Open findings" in bench/README.md for what a send costs.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from outbox import FakeAPI  # noqa: E402

NO_LIMIT = "1000000"


def profiling_worker_class(out: Path, profile: bool):
    from rq import Worker

    class ProfilingWorker(Worker):
        """A forking Worker that times and (optionally) profiles each work horse."""

        marks: dict[str, dict] = {}

        def execute_job(self, job, queue):
            forked = time.time()
            super().execute_job(job, queue)
            reaped = time.time()
            path = out / f"horse-{job.id}.json"
            horse = json.loads(path.read_text()) if path.exists() else {}
            self.marks[job.id] = {"job": job.func_name, "forked": forked, "reaped": reaped, **horse}

        def main_work_horse(self, job, queue):
            self._horse_started = time.time()
            super().main_work_horse(job, queue)

        def perform_job(self, job, queue):
            marks = {"horse_started": self._horse_started}
            STEPS.clear()  # what the parent ran (queueing) is not this job's
            original = job.perform

            def timed_perform():
                marks["perform_start"] = time.time()
                try:
                    return original()
                finally:
                    marks["perform_end"] = time.time()

            job.perform = timed_perform
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            try:
                return super().perform_job(job, queue)
            finally:
                if profiler:
                    profiler.disable()
                    profiler.dump_stats(str(out / f"horse-{job.id}.prof"))
                marks["horse_end"] = time.time()
                marks["steps"] = {k: sum(v) for k, v in STEPS.items()}
                (out / f"horse-{job.id}.json").write_text(json.dumps(marks))

    return ProfilingWorker


STEPS: dict[str, list[float]] = {}


def time_steps() -> None:
    """Wrap the send job's steps (module globals that send_message looks up by name)
    so each horse records how long each took, without a profiler's overhead."""
    import functools

    from services import outbox, twilio_client

    def timed(owner, name, label=None):
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                STEPS.setdefault(label or name, []).append((time.perf_counter() - started) * 1000)

        setattr(owner, name, wrapper)

    for name in ("_session", "_claim", "suppression_reason", "_send", "_finish", "_limiter", "_client"):
        timed(outbox, name)
    timed(outbox.RateLimiter, "wait_for_slot")
    timed(twilio_client.TwilioHttpClient, "request", "http_request")
    timed(outbox.Session, "get", "session_get")
    timed(outbox.Session, "close", "session_close")


def phases(marks: dict) -> dict:
    """Milliseconds spent in each step of one job."""
    ms = lambda a, b: (marks[b] - marks[a]) * 1000  # noqa: E731
    return {"fork_to_horse": ms("forked", "horse_started"),
            "rq_before_perform": ms("horse_started", "perform_start"),
            "perform": ms("perform_start", "perform_end"),
            "rq_after_perform": ms("perform_end", "horse_end"),
            "exit_to_reaped": ms("horse_end", "reaped"),
            "total": ms("forked", "reaped")}


def summarise(label: str, marks: dict[str, dict]) -> tuple[dict, str]:
    done = [m for m in marks.values() if "perform_end" in m]
    rows = [phases(m) for m in done]
    for m, row in zip(done, rows):
        row.update({f"  step {k}": v for k, v in m.get("steps", {}).items()})
    keys = list(dict.fromkeys(k for r in rows for k in r))
    means = {k: statistics.mean(r.get(k, 0.0) for r in rows) for k in keys}
    medians = {k: statistics.median(r.get(k, 0.0) for r in rows) for k in keys}
    text = [f"{label}: {len(rows)} jobs, ms per job (mean / median)"]
    text += [f"  {k:<18} {means[k]:8.2f} {medians[k]:8.2f}" for k in means]
    if any("step" in k for k in keys):
        text.append("  (steps are summed per job and nest: _send holds http_request and _finish; the "
                    "first _claim in a horse opens its database connection)")
    return {"jobs": len(rows), "mean_ms": means, "median_ms": medians}, "\n".join(text)


def merged_profile(out: Path, label: str, top: int) -> str:
    files = sorted(out.glob("horse-*.prof"))
    if not files:
        return ""
    stats = pstats.Stats(str(files[0]))
    for f in files[1:]:
        stats.add(str(f))
    stats.dump_stats(str(out.parent / f"{label}-merged.prof"))
    text = io.StringIO()
    stats.stream = text
    print(f"\n==== {label}: {len(files)} horses merged, by cumulative time", file=text)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n==== {label}: by own time", file=text)
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def run_workers(n: int, out: Path, q, connection, label: str, profile: bool) -> dict:
    """N forking workers (separate processes, as N `flask worker`s), burst mode."""
    pids = []
    for i in range(n):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                worker = profiling_worker_class(out, profile)([q], connection=connection, name=f"profile-{label}-{i}")
                worker.work(burst=True, with_scheduler=False, logging_level="INFO")
                (out / f"marks-{i}.json").write_text(json.dumps(worker.marks))
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    marks = {}
    for i in range(n):
        marks.update(json.loads((out / f"marks-{i}.json").read_text()))
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--redis-url", default=common.DEFAULT_REDIS)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--no-profile", action="store_true", help="timings only (cProfile slows the horse)")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--workers", type=int, default=1, help="forking workers at once (default 1)")
    parser.add_argument("--per-commit", type=int, default=1,
                        help="texts per transaction: 1 (default) gives one send job per text, more gives "
                             "send_messages jobs of up to workers.outbox.SEND_BATCH texts")
    parser.add_argument("--steps", action="store_true", help="time the send job's steps (implies --no-profile)")
    args = parser.parse_args()

    base = common.DATA / f"profile-send-{args.db}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    database_url = common.fresh_database(args.db, "profile_send")
    api = FakeAPI()
    env = common.app_env(database_url, args.redis_url, TWILIO_API_BASE=api.base_url, SMS_RATE_PER_SECOND=NO_LIMIT,
                         SMS_QUIET_HOURS="", INSTANCE_PATH=str(common.DATA / "instance"))
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    from rq import Queue

    import noop_job
    from models.db import session
    from wsgi import create_app
    from services import outbox  # noqa: F401  (the worker command imports it before forking, too)

    app = create_app()
    if args.steps:
        args.no_profile = True
        time_steps()
    # as the worker's log does: RQ and the job's INFO lines go to a file
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    logging.basicConfig(level=logging.INFO, filename=str(base / "worker.log"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s", force=True)
    from desk.redis_conn import connect

    connection = connect(app.config)  # as `flask worker` does: RQ and the jobs share one client
    report = {"db": args.db, "messages": args.messages, "per_commit": args.per_commit, "workers": args.workers,
              "profiled": not args.no_profile}
    texts = []
    try:
        with app.app_context():
            for label in ("noop", "send"):
                connection.flushdb()
                out = base / label
                out.mkdir()
                q = Queue("outbound", connection=connection)
                if label == "noop":
                    q.enqueue_many([Queue.prepare_data(noop_job.noop, result_ttl=3600)
                                    for _ in range(args.messages)])
                else:
                    api.ask("reset")
                    db = session()
                    for i in range(args.messages):
                        outbox.queue_sms(db, to=f"+4479110{i:05d}", body="Your survey: how did we do? Reply 1-5.",
                                         purpose="bench", key=str(i))
                        if i % args.per_commit == args.per_commit - 1:
                            db.commit()
                    db.commit()
                started = time.time()
                marks = run_workers(args.workers, out, q, connection, label, not args.no_profile)
                elapsed = time.time() - started
                summary, text = summarise(f"{label}, {args.workers} worker(s)", marks)
                summary["jobs_per_second_overall"] = len(marks) / elapsed
                report[label] = summary
                texts.append(text + f"\n  overall: {summary['jobs_per_second_overall']:.1f} jobs/s")
                (base / f"{label}-timings.json").write_text(json.dumps(marks, indent=1))
                if not args.no_profile:
                    texts.append(merged_profile(out, label, args.top))
            report["accepted_by_fake_api"] = len(api.ask("times"))
    finally:
        api.close()
    if args.db == "postgresql":
        common.drop_pg("bench_desk_profile_send")
    (base / "summary.json").write_text(json.dumps(report, indent=1))
    (base / "summary.txt").write_text("\n".join(texts))
    print("\n".join(t for t in texts if not t.startswith("\n====")))
    print(f"texts accepted by the fake API: {report['accepted_by_fake_api']}")
    print(f"written: {base.relative_to(common.ROOT)}/summary.txt")


if __name__ == "__main__":
    main()
