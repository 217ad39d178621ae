"""The one place that builds a Twilio REST client.

Everything that talks to Twilio's REST API gets its client from ``make_client`` so
that credentials, the request timeout and the API origin are set the same way
everywhere.  Tests point ``TWILIO_API_BASE`` at a local fake
(tests/emulator/rest_api.py) and keep using the real twilio-python resources.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Mapping, TypeVar
from urllib.parse import urlsplit, urlunsplit

# twilio-python imports its REST resources on first use; importing them here, once in
# the worker process, spares every forked job that ~0.13 s of CPU per text.
import twilio.rest.api.v2010.account  # noqa: F401
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_API_BASE = "https://api.twilio.com"
DEFAULT_TIMEOUT = 10.0

# twilio-python logs every request and response at INFO: ~12 lines per text (URL,
# headers, status), most of a worker's log at its INFO level and a measurable share
# of a send.  Its warnings and errors still show; failures are logged by the callers.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


class RebasedHttpClient(TwilioHttpClient):
    """Sends every request for ``https://*.twilio.com`` to ``api_base`` instead.

    twilio-python hard-codes a host per product (api.twilio.com, and with
    TWILIO_REGION/EDGE e.g. api.dublin.ie1.twilio.com) and builds absolute URLs
    for paging, so the HTTP layer is the only hook that redirects all of them.
    Path and query are kept; a path on ``api_base`` is used as a prefix.
    """

    def __init__(self, api_base: str, **kwargs):
        super().__init__(**kwargs)
        self.api_base = urlsplit(api_base.rstrip("/"))

    def rebase(self, url: str) -> str:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https" or not (host == "twilio.com" or host.endswith(".twilio.com")):
            return url
        base = self.api_base
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.rebase(url), *args, **kwargs)


def make_client(config: Mapping) -> Client:
    """A twilio ``Client`` for the configured account.

    The timeout matters: twilio-python waits forever by default, which would let a
    stalled Twilio hold a worker indefinitely.  A timed-out call raises
    ``requests.exceptions.ReadTimeout`` (or ``ConnectTimeout``) straight through
    twilio-python.  No automatic retries here: a retried POST can send an SMS or
    place a call twice, so retrying is the workers' decision.
    """
    timeout = float(config.get("TWILIO_HTTP_TIMEOUT") or DEFAULT_TIMEOUT)
    api_base = config.get("TWILIO_API_BASE") or DEFAULT_API_BASE
    if api_base.rstrip("/") == DEFAULT_API_BASE:
        http_client = TwilioHttpClient(timeout=timeout)
    else:
        http_client = RebasedHttpClient(api_base, timeout=timeout)
    account_sid = config["TWILIO_ACCOUNT_SID"]
    return Client(account_sid, config["TWILIO_AUTH_TOKEN"], account_sid=account_sid,
                  http_client=http_client)


def records(sids: Iterable[str], fetch: Callable[[str], T], what: str) -> Iterator[tuple[str, T | None]]:
    """Each SID with Twilio's record of it (``fetch(sid)``; None where Twilio has none,
    a 404).  Stops, with a warning, at the first that Twilio cannot answer (away, or
    refusing the credentials): the rest wait for the caller's next run."""
    for sid in sids:
        try:
            found = fetch(sid)
        except TwilioRestException as exc:
            if exc.status != 404:
                log.warning("could not ask Twilio about %s: %s", what, exc.code or exc.status)
                return
            found = None
        except (TwilioException, OSError) as exc:
            log.warning("could not ask Twilio about %s: %s", what, type(exc).__name__)
            return
        yield sid, found
