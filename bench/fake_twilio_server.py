"""The fake Twilio REST API (tests/emulator/rest_api.py) in a process of its own, with
the wall-clock time of every message it accepted, for the outbox benchmark.

It answers HTTP/1.1 and keeps connections open, as Twilio does (the tests' fake
answers HTTP/1.0 and closes every connection), so a client that sends several texts
pays one connection, not one per text.  Every request is still checked against
Twilio's OpenAPI description.  It is not what limits the benchmark: its checks are
cheap, and it answers far more requests per second than the outbox sends through it
(bench/README.md, "outbox.py").

Prints its base URL, then answers commands on stdin, one a line:
    times   -> a JSON list of acceptance times (time.time()) since the last reset
    reset   -> forget everything
End of input stops it.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.emulator.rest_api import FakeTwilioAPI  # noqa: E402


class TimedFakeTwilioAPI(FakeTwilioAPI):
    def __init__(self, *args, **kwargs):
        self.sent_times: list[float] = []
        self._times_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def start(self) -> "TimedFakeTwilioAPI":
        super().start()
        # every answer carries Content-Length, so a connection can carry the next request;
        # http.server writes the headers and the body separately, and on a kept-alive
        # connection Nagle's algorithm would hold the body until the client's delayed ACK,
        # a wait on every request: send both at once
        handler = self._server.RequestHandlerClass
        handler.protocol_version, handler.disable_nagle_algorithm = "HTTP/1.1", True
        return self

    def reset(self) -> None:
        super().reset()
        with self._times_lock:
            self.sent_times = []

    def handle(self, method, path, headers, query, form):
        status, body = super().handle(method, path, headers, query, form)
        if method == "POST" and path.endswith("/Messages.json") and status < 300:
            with self._times_lock:
                self.sent_times.append(time.time())
        return status, body


def main() -> None:
    account_sid, auth_token = sys.argv[1], sys.argv[2]
    with TimedFakeTwilioAPI(account_sid, auth_token) as api:
        print(api.base_url, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "times":
                with api._times_lock:
                    print(json.dumps(api.sent_times), flush=True)
            elif command == "reset":
                api.reset()
                print("ok", flush=True)
            elif command == "violations":
                print(json.dumps(len(api.contract_violations)), flush=True)


if __name__ == "__main__":
    main()
