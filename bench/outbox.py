"""Outbound texts per second: rows queued through the outbox (workers/outbox.py
queue_sms) and sent by N real RQ workers (`flask --app wsgi worker`) into the fake
Twilio REST API (its own process), against the same N workers running raw RQ no-op
jobs in the same run as the limit.  Then the per-sender limit (SMS_RATE_PER_SECOND)
set low enough to bind: the send rate seen at the fake API must stay at or under it.

    .venv/bin/python bench/outbox.py --db sqlite
    .venv/bin/python bench/outbox.py --db postgresql

Rates are taken over the middle 80% of completions (by time), so worker start-up and
the last stragglers do not count: no-op jobs by RQ's ended_at, texts by the time the
fake API accepted them.

Texts are queued 100 to a transaction, as a batch of survey invitations or a fan-out
of case updates commits them, so the outbox sends them up to SEND_BATCH to a job;
then again one to a transaction (a leaflet asked for on a call, one case update), one
job per text.  Both are reported against the same no-op rate (--per-commit).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

NO_LIMIT = "1000000"  # messages/s: high enough never to bind


def steady_rate(times: list[float]) -> float:
    times = sorted(times)
    lo, hi = int(len(times) * 0.1), int(len(times) * 0.9) - 1
    if hi <= lo or times[hi] <= times[lo]:
        return float("nan")
    return (hi - lo) / (times[hi] - times[lo])


def max_in_window(times: list[float], seconds: float) -> int:
    """Most sends in any window [t, t + seconds)."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


class FakeAPI:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(common.BENCH / "fake_twilio_server.py"), common.ACCOUNT_SID, common.AUTH_TOKEN],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=common.ROOT)
        self.base_url = self.process.stdout.readline().strip()

    def ask(self, command: str):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline()) if command != "reset" else self.process.stdout.readline()

    def close(self):
        self.process.stdin.close()
        self.process.wait(10)


class Bench:
    def __init__(self, args):
        self.args = args
        self.database_url = common.fresh_database(args.db, "outbox")
        # wsgi builds its module-level app from the environment when first imported
        os.environ.update(DATABASE_URL=self.database_url, REDIS_URL=args.redis_url)
        self.api = FakeAPI()
        import redis

        self.redis = redis.Redis.from_url(args.redis_url)
        self.logs = common.DATA / f"outbox-{args.db}"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.batch = 0

    def env(self, rate: str) -> dict:
        return common.app_env(self.database_url, self.args.redis_url, TWILIO_API_BASE=self.api.base_url,
                              SMS_RATE_PER_SECOND=rate, SMS_QUIET_HOURS="",
                              PYTHONPATH=f"{common.ROOT}:{common.BENCH}")

    def app(self, rate: str):
        from wsgi import create_app

        env = self.env(rate)
        names = ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID",
                 "TWILIO_PHONE_NUMBER", "SECRET_KEY", "TWILIO_API_BASE", "SMS_RATE_PER_SECOND",
                 "SMS_QUIET_HOURS", "INSTANCE_PATH")
        app = create_app({name: env[name] for name in names})
        logging.getLogger().setLevel(logging.WARNING)  # one line per queued text is noise here
        return app

    def start_workers(self, n: int, rate: str, label: str, kind: str = "fork") -> list[subprocess.Popen]:
        """N workers of KIND: "fork" (the service's command), "preload" or "simple"."""
        procs = []
        command = {"fork": [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                   "preload": [sys.executable, str(common.BENCH / "preloaded_worker.py")],
                   "simple": [sys.executable, str(common.BENCH / "simple_worker.py")]}[kind]
        for i in range(n):
            log = (self.logs / f"{label}-worker{i}.log").open("w")
            procs.append(subprocess.Popen(command + ["--name", f"bench-{label}-{i}"],
                                          env=self.env(rate), cwd=common.ROOT, stdout=log, stderr=subprocess.STDOUT))
        return procs

    def stop_workers(self, procs) -> None:
        for p in procs:
            common.stop(p, timeout=20)

    def wait(self, done, what: str, procs: list[subprocess.Popen], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not finish in {timeout}s")
            if all(p.poll() is not None for p in procs):
                raise RuntimeError(f"every worker exited before the {what} were done; see {self.logs}")
            time.sleep(0.2)

    # ---- the baseline: no-op jobs on the same workers

    def noop_phase(self, n: int, jobs: int, kind: str = "fork") -> dict:
        from rq import Queue
        from rq.job import Job
        from rq.registry import FinishedJobRegistry

        import noop_job

        self.redis.flushdb()
        q = Queue("outbound", connection=self.redis)
        ids = []
        for start in range(0, jobs, 500):
            prepared = [Queue.prepare_data(noop_job.noop, result_ttl=3600)
                        for _ in range(min(500, jobs - start))]
            ids += [job.id for job in q.enqueue_many(prepared)]
        procs = self.start_workers(n, NO_LIMIT, f"noop-n{n}-{kind}", kind)
        registry = FinishedJobRegistry("outbound", connection=self.redis)
        try:
            self.wait(lambda: registry.count >= jobs, "no-op jobs", procs)
        finally:
            self.stop_workers(procs)
        ended = [job.ended_at.timestamp() for job in Job.fetch_many(ids, connection=self.redis) if job and job.ended_at]
        return {"workers": n, "jobs": jobs, "completed": len(ended), "rate": steady_rate(ended)}

    # ---- the outbox: real rows, real send jobs, fake Twilio

    def queue_messages(self, rate: str, count: int, per_commit: int = 100) -> None:
        from models.db import session
        from services.outbox import queue_sms

        self.batch += 1
        app = self.app(rate)
        with app.app_context():
            db = session()
            for i in range(count):
                queue_sms(db, to=f"+44791{self.batch:02d}{i:05d}", body="Your survey: how did we do? Reply 1-5.",
                          purpose="bench", key=f"{self.batch}-{i}")
                if i % per_commit == per_commit - 1:
                    db.commit()
            db.commit()

    def sent_count(self) -> int:
        from sqlalchemy import func, select
        from models.db import engine_for
        from models.outbox import OutboundMessage

        with engine_for(self.database_url).connect() as conn:
            return conn.execute(select(func.count()).select_from(OutboundMessage).where(
                OutboundMessage.purpose == "bench", OutboundMessage.dedupe_key.like(f"{self.batch}-%"),
                OutboundMessage.status == "sent")).scalar_one()

    def outbox_phase(self, n: int, messages: int, rate: str, kind: str = "fork", per_commit: int = 100) -> dict:
        self.redis.flushdb()
        self.api.ask("reset")
        self.queue_messages(rate, messages, per_commit)
        label = f"outbox-n{n}-r{rate}-c{per_commit}-{kind}"
        procs = self.start_workers(n, rate, label, kind)
        try:
            self.wait(lambda: self.sent_count() >= messages, "outbox sends", procs)
        finally:
            self.stop_workers(procs)
        times = self.api.ask("times")
        return {"workers": n, "messages": messages, "per_commit": per_commit, "sent": len(times),
                "rate": steady_rate(times), "times": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--redis-url", default=common.DEFAULT_REDIS,
                        help="Redis for RQ and the rate limit (flushed between phases; default %(default)s)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure")
    parser.add_argument("--preload", action="store_true",
                        help="also measure workers that import the job modules before forking")
    parser.add_argument("--simple", action="store_true",
                        help="also measure no-op jobs and texts on workers that do not fork per job "
                             "(RQ's SimpleWorker, bench/simple_worker.py), texts committed as the last "
                             "--per-commit says")
    parser.add_argument("--messages", type=int, default=500, help="texts (and no-op jobs) per phase")
    parser.add_argument("--per-commit", default="100,1",
                        help="texts committed per transaction, one outbox phase each (default %(default)s); "
                             "the first is the one the ratio target and the rate-limit phase use")
    parser.add_argument("--limit", type=float, default=None,
                        help="SMS_RATE_PER_SECOND for the binding phase (default: 10/s, or half the best "
                             "unlimited rate measured in this run if that is lower, so the limit binds)")
    parser.add_argument("--limit-messages", type=int, default=None, help="default: 20 seconds' worth")
    parser.add_argument("--limit-workers", type=int, default=None,
                        help="workers for the binding phase (default: the count that sent fastest)")
    args = parser.parse_args()

    per_commit = [int(x) for x in args.per_commit.split(",")]
    bench = Bench(args)
    rows, phases = [], []
    try:
        for n in [int(x) for x in args.workers.split(",")]:
            noop = bench.noop_phase(n, args.messages)
            out = bench.outbox_phase(n, args.messages, NO_LIMIT, per_commit=per_commit[0])
            ratio = out["rate"] / noop["rate"]
            out.pop("times")
            phase = {"workers": n, "noop": noop, "outbox": out, "ratio": ratio}
            row = [n, noop["rate"], out["rate"], ratio, out["sent"]]
            for each in per_commit[1:]:
                other = bench.outbox_phase(n, args.messages, NO_LIMIT, per_commit=each)
                other.pop("times")
                phase.setdefault("outbox_per_commit", {})[str(each)] = {**other, "ratio": other["rate"] / noop["rate"]}
                row += [other["rate"], other["rate"] / noop["rate"], other["sent"]]
            if args.preload:
                pre = bench.outbox_phase(n, args.messages, NO_LIMIT, kind="preload", per_commit=per_commit[0])
                pre.pop("times")
                phase.update(outbox_preloaded=pre, ratio_preloaded=pre["rate"] / noop["rate"])
                row += [pre["rate"], phase["ratio_preloaded"]]
            if args.simple:
                simple_noop = bench.noop_phase(n, args.messages, kind="simple")
                simple = bench.outbox_phase(n, args.messages, NO_LIMIT, kind="simple", per_commit=per_commit[-1])
                simple.pop("times")
                phase.update(simple_noop=simple_noop, outbox_simple=simple,
                             ratio_simple=simple["rate"] / simple_noop["rate"])
                row += [simple_noop["rate"], simple["rate"], phase["ratio_simple"]]
                print(f"  {n} simple workers: no-op {simple_noop['rate']:.0f} jobs/s, "
                      f"{per_commit[-1]} per commit {simple['rate']:.0f} texts/s, ratio {phase['ratio_simple']:.2f}",
                      flush=True)
            print(f"  {n} workers: no-op {noop['rate']:.0f} jobs/s, outbox {out['rate']:.0f} texts/s "
                  f"({per_commit[0]} per commit), ratio {ratio:.2f}"
                  + "".join(f"; {each} per commit {phase['outbox_per_commit'][str(each)]['rate']:.0f} texts/s, "
                            f"ratio {phase['outbox_per_commit'][str(each)]['ratio']:.2f}" for each in per_commit[1:])
                  + (f"; preloaded {phase['outbox_preloaded']['rate']:.0f} texts/s, ratio "
                     f"{phase['ratio_preloaded']:.2f}" if args.preload else ""), flush=True)
            phases.append(phase)
            rows.append(row)
        fastest = max(phases, key=lambda p: p["outbox"]["rate"])
        if args.limit is None:
            args.limit = min(10.0, max(1.0, round(fastest["outbox"]["rate"] / 2)))
        args.limit_workers = args.limit_workers or fastest["workers"]
        args.limit_messages = args.limit_messages or max(60, int(20 * args.limit))
        limit = f"{args.limit:g}"
        bound = bench.outbox_phase(args.limit_workers, args.limit_messages, limit, per_commit=per_commit[0])
        times = sorted(bound.pop("times"))
        mean_rate = (len(times) - 1) / (times[-1] - times[0])
        buckets: dict[int, int] = {}
        for t in times:
            buckets[int(t - times[0])] = buckets.get(int(t - times[0]), 0) + 1
        full = [buckets[s] for s in sorted(buckets)][:-1]  # the last second is partial
        windows = {str(w): max_in_window(times, w) for w in (1, 5, 10)}
        bound.update(limit=args.limit, mean_rate=mean_rate, max_in_window=windows,
                     per_second_buckets=[buckets[s] for s in sorted(buckets)],
                     violations=bench.api.ask("violations"))
    finally:
        bench.api.close()
    print()
    headers = ["workers", "no-op jobs/s", f"texts/s ({per_commit[0]}/commit)", "ratio", "sent"]
    for each in per_commit[1:]:
        headers += [f"texts/s ({each}/commit)", "ratio", "sent"]
    headers += ["preloaded texts/s", "ratio"] if args.preload else []
    headers += ["simple no-op jobs/s", f"simple texts/s ({per_commit[-1]}/commit)", "ratio"] if args.simple else []
    print(common.table(headers, rows))
    # A window of w seconds holds w*limit slots, plus one when a send lands a few ms
    # late at its start (slots are exact, the HTTP request after them is not).
    held = all(count <= float(w) * args.limit + 1 for w, count in windows.items())
    binds = mean_rate >= 0.9 * args.limit
    print(f"\nrate limit {args.limit:g}/s, {args.limit_workers} workers, {bound['sent']} texts: "
          f"mean {mean_rate:.2f}/s over {times[-1] - times[0]:.1f}s; most in any 1/5/10 s window "
          f"{windows['1']}/{windows['5']}/{windows['10']} (limit {args.limit:g}/{5 * args.limit:g}/"
          f"{10 * args.limit:g}, +1 for a send landing late at a window's start); whole seconds "
          f"{min(full) if full else '-'}..{max(full) if full else '-'} -> {'held' if held else 'EXCEEDED'}"
          f"{'' if binds else ' (the limit did not bind: sends were slower than it)'}")
    print(f"fake API contract violations: {bound['violations']}")
    targets = {f"ratio>=0.8 ({per_commit[0]}/commit)": all(p["ratio"] >= 0.8 for p in phases)}
    for each in per_commit[1:]:
        targets[f"ratio>=0.8 ({each}/commit)"] = all(p["outbox_per_commit"][str(each)]["ratio"] >= 0.8 for p in phases)
    print("target >= 0.8 x no-op: " + "; ".join(f"{name.split(' ', 1)[1]} {'met' if ok else 'MISSED'}"
                                                for name, ok in targets.items()))
    path = common.write_result(f"outbox-{args.db}", {
        "db": args.db, "redis": args.redis_url, "phases": phases, "rate_limit": bound,
        "per_commit": per_commit,
        "targets": {**targets, "limit_held": held, "limit_binds": binds}})
    print(f"result: {path.relative_to(common.ROOT)}")
    if args.db == "postgresql":
        common.drop_pg("bench_desk_outbox")


if __name__ == "__main__":
    main()
