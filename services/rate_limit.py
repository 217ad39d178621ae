"""A send-rate limit shared by every worker on every machine, kept in Redis.

Each send reserves the next free slot for its sender (a generic cell rate algorithm:
slots ``1/rate`` seconds apart), one slot per SMS segment: Twilio's throughput is per
segment, so a three-part text takes three slots.  Redis's own clock is used so workers on machines
whose clocks differ still agree.  A reservation further ahead than ``max_wait`` is not
taken: the caller re-queues the job instead of holding a worker asleep.
"""
from __future__ import annotations

import time

import redis

# KEYS[1] next-free-slot key; ARGV: interval_us, max_wait_us.
# Returns the microseconds to wait before sending (>= 0, slot reserved) or
# -(microseconds until a slot is near) when no slot was reserved.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local wait = slot - now
if wait > max_wait then return -(wait - max_wait) end
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil((wait + interval) / 1000) + 1000)
return wait
"""


class RateLimiter:
    def __init__(self, connection: redis.Redis, per_second: float, max_wait: float = 2.0):
        self.connection = connection
        self.interval_us = int(1_000_000 / per_second)
        self.max_wait_us = int(max_wait * 1_000_000)
        self._script = connection.register_script(_RESERVE)

    def reserve(self, sender: str, segments: int = 1) -> float:
        """Seconds to sleep before sending SEGMENTS parts, or a negative number: seconds to
        come back later."""
        interval = self.interval_us * max(1, segments)
        result = int(self._script(keys=[f"ratelimit:sms:{sender}"], args=[interval, self.max_wait_us]))
        return result / 1_000_000

    def wait_for_slot(self, sender: str, segments: int = 1) -> bool:
        """Sleep until this worker may send SEGMENTS parts; False when the caller should re-queue instead."""
        wait = self.reserve(sender, segments)
        if wait < 0:
            return False
        if wait > 0:
            time.sleep(wait)
        return True
