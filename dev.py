#!/usr/bin/env python3
"""The two commands a newcomer needs, on a machine with nothing but Python:

    python3 dev.py serve         # the service on embedded defaults: web, worker and scheduler
    python3 dev.py test          # the whole test suite (what CI runs), two test processes
    python3 dev.py test --fast   # all but the slow `fleet` and `browser` tests, for development

Anything else after `test` goes to pytest: `python3 dev.py test --fast tests/ivr -x`,
`python3 dev.py test -m browser`.  `-n 0` runs in this one process (for pdb).

Each creates .venv and installs the project into it when pyproject.toml has changed
since the last install, so running them again costs nothing.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
CHROMIUM = "/usr/bin/chromium"


def ensure_installed(extras: str) -> None:
    """The locked dependencies (every version pinned, every file checked against its hash),
    then the project itself.  requirements/*.lock are made from pyproject.toml by pip-tools:
    pip-compile --generate-hashes --strip-extras --allow-unsafe [--extra test] -o … pyproject.toml"""
    lock = ROOT / "requirements" / f"{extras or 'base'}.lock"
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
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


def ensure_browser() -> None:
    """The console's browser tests drive Debian's Chromium (no browser download)."""
    if Path(CHROMIUM).exists() or os.name == "nt":
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's chromium for the browser tests …", flush=True)
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        quiet = {"stdout": subprocess.DEVNULL}
        if subprocess.run(install, **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], **quiet)
            subprocess.run(install, **quiet)
    if not Path(CHROMIUM).exists():
        print(f"note: {CHROMIUM} is missing, so the browser tests will be skipped "
              "(install Debian's chromium package to run them)", flush=True)


def flask(*args: str) -> list[str]:
    return [str(PYTHON), "-m", "flask", "--app", "wsgi", *args]


def serve() -> int:
    ensure_installed("")
    port = os.environ.get("PORT", "5000")
    subprocess.run(flask("db", "upgrade"), check=True, cwd=ROOT)
    procs = [
        subprocess.Popen(flask("worker"), cwd=ROOT),
        subprocess.Popen([str(BIN / "gunicorn"), "--config", "gunicorn_conf.py", "--bind", f"127.0.0.1:{port}",
                          "--workers", "2", "--access-logfile", "-", "wsgi:app"], cwd=ROOT),
    ]
    print(f"Victim Focus Desk on http://127.0.0.1:{port}  (Ctrl-C stops it)", flush=True)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT if os.name != "nt" else signal.CTRL_C_EVENT)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


# Markers (pyproject.toml) of the tests a development run leaves out: worker-process
# fleets under faults (minutes) and the console in Chromium.
SLOW = "not fleet and not browser"


def pytest_args(args: list[str]) -> list[str]:
    """--fast becomes a marker selection; the tests run in two processes (pytest-xdist)
    unless -n is given: the fleet tests mostly wait on their worker processes, and the
    rest fill the other process meanwhile."""
    fast = "--fast" in args
    args = [a for a in args if a != "--fast"]
    if fast:
        args = ["-m", SLOW, *args]
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args):
        args = ["-n", "2", *args]
    return args


def test(args: list[str]) -> int:
    ensure_installed("test")
    if "--fast" not in args:
        ensure_browser()
    return subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args(args)], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    return serve() if argv[0] == "serve" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
