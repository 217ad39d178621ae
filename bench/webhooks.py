"""Webhook throughput and latency: the real app (wsgi:app) under gunicorn on loopback,
loaded by wrk from a separate process with a pool of distinct, correctly signed Twilio
webhooks in a realistic mix, against a bare Flask app answering constant TwiML with
the same gunicorn and wrk settings, measured in the same run (baseline, app, baseline).

    .venv/bin/python bench/webhooks.py --db sqlite
    .venv/bin/python bench/webhooks.py --db postgresql

The mix (per 100 requests): 15 new calls (POST /ivr/voice), 20 menu digits (POST
/ivr/step, the greeting Gather's action, on calls answered in a warm-up), 35 queue
wait polls (POST /ivr/queue/wait on calls put in the queue in the warm-up), 15 call
status callbacks (POST /ivr/status, "completed"), 15 inbound texts (POST /sms/inbound:
ratings answering surveys seeded beforehand, and HELP).

A fourth phase, ``app_floor``, sends the real app only signed ``/ivr/fallback/dialled``
webhooks (DialCallStatus=completed: signature check, form, TwiML, no database or
Redis): what the app costs before it stores anything, so the figures show how much
of the gap to the baseline any storage design could close.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

MIX = {"voice": 15, "step": 20, "wait": 35, "status": 15, "sms": 15}
# Callers in the queue at once: below IVR_QUEUE_MAX_SIZE (10), as the line allows; the
# queue polls go round them (each poll works out the caller's place over the queue).
QUEUED_CALLS = 9
LONDON_OPEN_ALL_DAY = "00:00-23:59"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("installing Debian's wrk …", flush=True)
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL).returncode:
            subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL, check=True)
        return shutil.which("wrk")
    raise SystemExit("wrk is needed (Debian: apt-get install wrk)")


def sign(path: str, params: dict) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(common.AUTH_TOKEN).compute_signature(common.PUBLIC_BASE_URL + path, params)


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def mobile(n: int) -> str:
    return f"+44791{n:07d}"[:13]


def call_params(call_sid: str, caller: str, **more) -> dict:
    return {"CallSid": call_sid, "AccountSid": common.ACCOUNT_SID, "From": caller, "To": common.DESK_NUMBER,
            "Direction": "inbound", "CallStatus": "in-progress", "ApiVersion": "2010-04-01", **more}


class Plan:
    """Which calls and surveys exist before the run, and the pool of requests replayed."""

    def __init__(self, pool_size: int, seed: int = 7):
        self.rng = random.Random(seed)
        total = sum(MIX.values())
        self.counts = {k: math.ceil(pool_size * v / total) for k, v in MIX.items()}
        self.step_calls = [(sid("CA"), mobile(100000 + i)) for i in range(self.counts["step"])]
        self.polls_per_call = math.ceil(self.counts["wait"] / QUEUED_CALLS)
        self.queued_calls = [(sid("CA"), mobile(300000 + i)) for i in range(QUEUED_CALLS)]
        self.survey_phones = [mobile(500000 + i) for i in range(self.counts["sms"])]

    def pool(self, tokens: dict[str, str] | None = None) -> list[tuple[str, dict]]:
        """The requests replayed; TOKENS (call sid -> the step token its next request must
        carry, from the warm-up's answers) as Twilio would send them, on the action URL."""
        tokens = tokens or {}

        def on(path: str, call_sid: str) -> str:
            return f"{path}?step={tokens[call_sid]}" if call_sid in tokens else path

        made: dict[str, list] = {"voice": [], "step": [], "wait": [], "status": [], "sms": []}
        for i in range(self.counts["voice"]):
            made["voice"].append(("/ivr/voice", call_params(sid("CA"), mobile(700000 + i), CallStatus="ringing")))
        for i, (s, c) in enumerate(self.step_calls):
            # the menu's other choices: a 2 would put the caller in the queue for good (no
            # polls follow in the pool to turn them away), growing it past what the line allows
            made["step"].append((on("/ivr/step", s), call_params(s, c, Digits=self.rng.choice("44913"))))
        for rnd in range(self.polls_per_call):
            for j, (s, c) in enumerate(self.queued_calls):
                made["wait"].append((on("/ivr/queue/wait", s), call_params(
                    s, c, QueueSid="QU" + "0" * 32, QueuePosition=str(1 + j % 9),
                    QueueTime=str(30 * (rnd % 20 + 1)), AvgQueueTime="95", CurrentQueueSize=str(QUEUED_CALLS))))
        at = datetime.now(UTC)
        for i, (s, c) in enumerate(self.step_calls[: self.counts["status"]]):
            made["status"].append(("/ivr/status", call_params(
                s, c, CallStatus="completed", CallDuration=str(40 + i % 300), SequenceNumber="3",
                Timestamp=format_datetime(at, usegmt=True))))
        for i, phone in enumerate(self.survey_phones):
            body = "HELP" if i % 10 == 9 else self.rng.choice("5554443321")
            made["sms"].append(("/sms/inbound", {
                "MessageSid": sid("SM"), "SmsMessageSid": "", "AccountSid": common.ACCOUNT_SID,
                "From": phone, "To": common.DESK_NUMBER, "Body": body, "NumMedia": "0", "ApiVersion": "2010-04-01"}))
        for rows in made.values():
            rows.reverse()  # popped from the end, so first made goes first
        slots = [k for k, v in MIX.items() for _ in range(v)]
        out: list[tuple[str, dict]] = []
        while any(made.values()):
            self.rng.shuffle(slots)
            for kind in slots:
                if made[kind]:
                    out.append(made[kind].pop())
        return out


def floor_pool(size: int) -> list[tuple[str, dict]]:
    """Signed webhooks the app answers without a store: the fallback Dial's action."""
    return [("/ivr/fallback/dialled", call_params(sid("CA"), mobile(900000 + i % 1000), DialCallStatus="completed",
                                                   DialCallDuration="35")) for i in range(size)]


def write_pool(requests: list[tuple[str, dict]], path: Path) -> None:
    with path.open("w") as f:
        for url_path, params in requests:
            params = {k: v for k, v in params.items() if v != ""}
            f.write(f"{url_path}\t{sign(url_path, params)}\t{urlencode(params)}\n")


def seed_surveys(database_url: str, phones: list[str]) -> None:
    """Surveys awaiting a rating, texted an hour ago, one per phone that will reply."""
    from sqlalchemy import insert
    from models.db import engine_for
    from models.surveys import Engagement, Survey

    now = datetime.now(UTC)
    engine = engine_for(database_url)
    with engine.begin() as conn:
        conn.execute(insert(Engagement), [
            {"officer_id": f"PC{i % 97:04d}", "officer_name": f"PC {i % 97:04d}", "borough": "Camden",
             "victim_phone": p, "crime_reference": None, "occurred_at": now - timedelta(hours=3),
             "created_at": now} for i, p in enumerate(phones)])
        ids = {row.victim_phone: row.id for row in conn.execute(
            Engagement.__table__.select().with_only_columns(Engagement.id, Engagement.victim_phone))}
        conn.execute(insert(Survey), [
            {"engagement_id": ids[p], "phone": p, "status": "awaiting_rating", "invitation": "scheduled",
             "reprompted": False, "invited_at": now - timedelta(hours=1), "expires_at": now + timedelta(days=7),
             "created_at": now, "updated_at": now} for p in phones])
    engine.dispose()


def seed_agents(database_url: str, count: int = 4) -> None:
    """Agents on duty (busy, so the router rings nobody): with nobody on duty the line
    offers a callback instead of the queue, and the queue polls would measure nothing."""
    from sqlalchemy import insert
    from models.agents import Agent
    from models.db import engine_for

    engine = engine_for(database_url)
    with engine.begin() as conn:
        conn.execute(insert(Agent), [
            {"name": f"Bench agent {i}", "client_identity": f"bench{i}", "skills": ["en"], "state": "busy",
             "state_changed_at": datetime.now(UTC), "missed_in_a_row": 0, "created_at": datetime.now(UTC)}
            for i in range(count)])
    engine.dispose()


def gunicorn(target: str, port: int, env: dict, log: Path, args, chdir: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--worker-class", args.worker_class,
           "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), target]
    process = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    common.wait_for_port(port, process=process)
    return process


STEP_TOKEN = re.compile(r"[?&](?:amp;)?step=([0-9a-f]+)")


def warm_up_calls(port: int, plan: Plan) -> tuple[int, dict[str, str]]:
    """Answer every call, then press 2 on the queued ones, each with the step token its
    answer gave (ivr/step_tokens.py), as Twilio follows the action URLs; returns how many
    answers were not as expected, and each call's token for its next request (a queued
    call's: the queue visit's, which its polls carry)."""
    import requests as http

    local = __import__("threading").local()
    tokens: dict[str, str] = {}

    def send(url_path: str, params: dict, expect: str) -> bool:
        session = getattr(local, "session", None) or http.Session()
        local.session = session
        r = session.post(f"http://127.0.0.1:{port}{url_path}", data=params,
                         headers={"X-Twilio-Signature": sign(url_path, params)})
        found = STEP_TOKEN.search(r.text)
        if found:
            tokens[params["CallSid"]] = found.group(1)
        return r.status_code == 200 and expect in r.text and found is not None

    def answer(call):
        return send("/ivr/voice", call_params(*call, CallStatus="ringing"), "<Gather")

    def queue(call):
        path = f"/ivr/step?step={tokens.get(call[0], '')}"
        return send(path, call_params(*call, Digits="2"), "<Enqueue")

    with ThreadPoolExecutor(4) as pool:
        failed = sum(not ok for ok in pool.map(answer, plan.step_calls + plan.queued_calls))
        failed += sum(not ok for ok in pool.map(queue, plan.queued_calls))
    return failed, tokens


def warm_up(port: int, requests: list[tuple[str, dict, str]]) -> int:
    """Send the warm-up in order (calls first, then digits); returns how many failed."""
    import requests as http

    local = __import__("threading").local()

    def send(item) -> bool:
        url_path, params, expect = item
        session = getattr(local, "session", None) or http.Session()
        local.session = session
        r = session.post(f"http://127.0.0.1:{port}{url_path}", data=params,
                         headers={"X-Twilio-Signature": sign(url_path, params)})
        return r.status_code == 200 and expect in r.text

    failed = 0
    voice = [r for r in requests if r[0] == "/ivr/voice"]
    rest = [r for r in requests if r[0] != "/ivr/voice"]
    with ThreadPoolExecutor(4) as pool:
        for batch in (voice, rest):
            failed += sum(not ok for ok in pool.map(send, batch))
    return failed


def run_wrk(wrk: str, port: int, pool_file: Path, args) -> dict:
    env = dict(os.environ, BENCH_POOL=str(pool_file), BENCH_THREADS=str(args.wrk_threads))
    cmd = [wrk, "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.duration}s",
           "--timeout", "10s", "-s", str(common.BENCH / "replay.lua"), f"http://127.0.0.1:{port}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def log_errors(log: Path) -> int:
    """Requests the app answered 200 only by falling back (safe_twiml / keep_holding)."""
    text = log.read_text(errors="replace")
    return text.count(" ERROR ") + text.count("Traceback")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--redis-url", default=common.DEFAULT_REDIS,
                        help="Redis for RQ jobs and rate limits (flushed first; default %(default)s)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per phase")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"],
                        help="gunicorn worker class (sync ignores --threads)")
    parser.add_argument("--pool", type=int, default=25000, help="distinct requests replayed")
    args = parser.parse_args()

    wrk = ensure_wrk()
    work = common.DATA / f"webhooks-{args.db}"
    work.mkdir(parents=True, exist_ok=True)
    database_url = common.fresh_database(args.db, "webhooks")
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()

    plan = Plan(args.pool)
    seed_surveys(database_url, plan.survey_phones)
    seed_agents(database_url)
    pool_file, floor_file = work / "pool.tsv", work / "floor.tsv"
    write_pool(plan.pool(), pool_file)
    write_pool(floor_pool(2000), floor_file)
    print(f"{args.db}: pool of {sum(1 for _ in pool_file.open())} signed requests; "
          f"gunicorn {args.workers} {args.worker_class} workers x {args.threads} threads; "
          f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s", flush=True)

    today = datetime.now(UTC).date()
    hours = json.dumps({str(today + timedelta(days=d)): LONDON_OPEN_ALL_DAY for d in (-1, 0, 1)})
    env = common.app_env(database_url, args.redis_url, IVR_HOURS_OVERRIDES=hours)

    phases = {}
    for phase in ("baseline_before", "app", "app_floor", "baseline_after"):
        port = common.free_port()
        log = work / f"{phase}.log"
        if phase.startswith("app"):
            server = gunicorn("wsgi:app", port, env, log, args, common.ROOT)
        else:
            server = gunicorn("baseline_app:app", port, env, log, args, common.BENCH)
        try:
            warm_failed = None
            if phase == "app_floor":  # the same warm start as the app phase's
                warm_failed = warm_up(port, [(path, params, "<Hangup") for path, params in floor_pool(200)])
            replayed = floor_file if phase == "app_floor" else pool_file
            if phase == "app":
                started = time.monotonic()
                warm_failed, tokens = warm_up_calls(port, plan)
                sent = len(plan.step_calls) + 2 * len(plan.queued_calls)
                print(f"warm-up: {sent} requests in "
                      f"{time.monotonic() - started:.0f}s, {warm_failed} not answered as expected", flush=True)
                replayed = work / "pool-app.tsv"  # the same mix, on the action URLs the answers gave
                write_pool(plan.pool(tokens), replayed)
            result = run_wrk(wrk, port, replayed, args)
        finally:
            common.stop(server)
        result["app_errors_logged"] = log_errors(log)
        if warm_failed is not None:
            result["warm_up_failed"] = warm_failed
        phases[phase] = result
        print(f"  {phase}: {result['rps']:.0f} rps, p99 {result['p99_us'] / 1000:.1f} ms", flush=True)

    baseline_rps = (phases["baseline_before"]["rps"] + phases["baseline_after"]["rps"]) / 2
    ratio = phases["app"]["rps"] / baseline_rps
    rows = [[name, r["requests"], r["rps"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["non2xx"],
             r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"],
             r["app_errors_logged"], r["pool_wraps"]] for name, r in phases.items()]
    print()
    print(common.table(["phase", "requests", "rps", "p50 ms", "p99 ms", "non-2xx", "socket err",
                        "errors logged", "pool wraps"], rows))
    app = phases["app"]
    floor_ratio = phases["app_floor"]["rps"] / baseline_rps
    verdict_rps = "meets" if ratio >= 0.5 else "MISSES"
    verdict_p99 = "meets" if app["p99_us"] < 25_000 else "MISSES"
    print(f"\n{args.db}: app/baseline throughput = {ratio:.2f} ({verdict_rps} >= 0.5); "
          f"app p99 = {app['p99_us'] / 1000:.1f} ms ({verdict_p99} < 25 ms); "
          f"app storing nothing: {floor_ratio:.2f} of the baseline")
    path = common.write_result(f"webhooks-{args.db}", {
        "db": args.db, "redis": args.redis_url, "mix_per_100": MIX,
        "settings": {k: getattr(args, k) for k in ("duration", "connections", "wrk_threads", "workers",
                                                    "threads", "worker_class", "pool")},
        "gunicorn": f"--workers {args.workers} --worker-class {args.worker_class} --threads {args.threads}",
        "phases": phases, "baseline_rps_mean": baseline_rps, "ratio": ratio,
        "floor_ratio": floor_ratio,
        "targets": {"ratio>=0.5": ratio >= 0.5, "p99<25ms": app["p99_us"] < 25_000}})
    print(f"result: {path.relative_to(common.ROOT)}")
    if args.db == "postgresql":
        common.drop_pg("bench_desk_webhooks")


if __name__ == "__main__":
    main()
