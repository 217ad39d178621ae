"""One-time step tokens against replayed voice webhooks.

Twilio signs the URL and the form, never a header, so a captured request stays valid
for ever.  Each answer's action URLs therefore carry a fresh token (``?step=…``, inside
the signed URL), kept in the call's row (``calls.step_token``); the next webhook acts
only with that token and, acting, replaces it in the same transaction.

A repeat of a request that acted (Twilio's own retry, or a replay) gets the answer it
had the first time, kept in Redis for ``KEEP_SECONDS``: retries come within seconds,
and what a caller heard (their number read back, a case update) is not kept in the
call log.  Any other token, or a repeat after that, hears the current question again
and changes nothing.
"""
from __future__ import annotations

import logging
import secrets

from redis.exceptions import RedisError

from desk.redis_conn import connect

log = logging.getLogger(__name__)

PARAM = "step"
KEEP_SECONDS = 600


def new_token() -> str:
    return secrets.token_hex(8)


def _key(call_sid: str, route: str, token: str | None) -> str:
    return f"ivr:answer:{call_sid}:{route}:{token or '-'}"


def remember(config, call_sid: str, route: str, token: str | None, answer: str) -> None:
    """Keep ANSWER for a repeat of this request.  Without Redis a repeat hears the
    current question instead, which is safe, so a failure here only logs."""
    try:
        connect(config).set(_key(call_sid, route, token), answer, ex=KEEP_SECONDS)
    except RedisError:
        log.warning("answer for call %s not kept for repeats", call_sid, exc_info=True)


def recall(config, call_sid: str, route: str, token: str | None) -> str | None:
    try:
        answer = connect(config).get(_key(call_sid, route, token))
    except RedisError:
        log.warning("answers for call %s unavailable", call_sid, exc_info=True)
        return None
    return answer.decode() if answer is not None else None
