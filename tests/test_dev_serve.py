"""`python3 dev.py serve` as a newcomer runs it: SIGTERM stops every process it started
(gunicorn, the worker and its scheduler, redis-server), and the next start reuses
nothing of an earlier run, even one that was killed outright."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.resilience.fleet import free_port

ROOT = Path(__file__).resolve().parents[1]
PROC = Path("/proc")

pytestmark = [pytest.mark.fleet, pytest.mark.skipif(not PROC.is_dir(), reason="reads /proc (Linux)")]


@pytest.fixture
def instance(tmp_path):
    path = tmp_path.resolve() / "instance"
    yield path
    for pid in started_under(path):  # only what a failed test left behind
        os.kill(pid, signal.SIGKILL)


def test_sigterm_stops_everything_and_a_second_start_works(instance):
    port = free_port()
    for _ in range(2):
        serve = start_serve(instance, port)
        assert started_under(instance) != [serve.pid], "serve started nothing"
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        assert_none_left(instance)


def test_a_start_after_a_killed_run_replaces_what_it_left(instance):
    port = free_port()
    killed = start_serve(instance, port)
    left = [pid for pid in started_under(instance) if pid != killed.pid]
    killed.kill()
    killed.wait()

    serve = start_serve(instance, port)
    still = [pid for pid in left if alive(pid)]
    assert not still, f"the killed run's processes still run: {describe(still)}"
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=60)
    assert_none_left(instance)


def start_serve(instance: Path, port: int, timeout: float = 120) -> subprocess.Popen:
    """dev.py serve on PORT with INSTANCE, once /console/login answers.  The suite's
    .venv is installed already, so serve installs nothing."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DESK_DEV_SERVE"}}
    env.update(INSTANCE_PATH=str(instance), PORT=str(port))
    instance.mkdir(parents=True, exist_ok=True)
    log = instance.parent / "serve.log"
    log.unlink(missing_ok=True)
    serve = subprocess.Popen([sys.executable, str(ROOT / "dev.py"), "serve"], cwd=ROOT, env=env,
                             stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert serve.poll() is None, f"serve ended ({serve.returncode}):\n{tail(instance)}"
        if "Victim Focus Desk on" not in log.read_text(errors="replace"):
            time.sleep(0.2)  # not this serve's gunicorn yet (a killed run's may still answer)
            continue
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/console/login", timeout=2) as page:
                if page.status == 200:
                    return serve
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"/console/login never answered:\n{tail(instance)}")


def assert_none_left(instance: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (left := started_under(instance)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"still running after SIGTERM: {describe(left)}\n{tail(instance)}"


def started_under(instance: Path) -> list[int]:
    """Running processes whose environment names INSTANCE (dev.py and all it started), or
    that work in it: redis-server writes its title over its environment, and works in
    its data folder.  A zombie's environment reads empty."""
    needle = f"\0INSTANCE_PATH={instance}\0".encode()
    found = []
    for process in PROC.glob("[0-9]*"):
        try:
            if needle in b"\0" + (process / "environ").read_bytes() or _within(process, instance):
                found.append(int(process.name))
        except (OSError, ValueError):
            pass
    return sorted(pid for pid in found if pid != os.getpid())


def _within(process: Path, instance: Path) -> bool:
    cwd = os.readlink(process / "cwd")
    return cwd == str(instance) or cwd.startswith(f"{instance}/")


def alive(pid: int) -> bool:
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def describe(pids: list[int]) -> str:
    names = []
    for pid in pids:
        try:
            command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            names.append(f"{pid} {command[:120]}")
        except OSError:
            names.append(f"{pid} (gone)")
    return "; ".join(names)


def tail(instance: Path) -> str:
    return "\n".join((instance.parent / "serve.log").read_text(errors="replace").splitlines()[-30:])
