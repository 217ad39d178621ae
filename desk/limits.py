"""The largest request body the service reads.  Twilio's webhooks and the API's JSON
are a few kilobytes; anything far larger is refused with 413 before it is read, so
one request cannot hold a worker's memory."""
from __future__ import annotations

from desk import config


def init_app(app) -> None:
    app.config["MAX_CONTENT_LENGTH"] = int(config.setting("MAX_REQUEST_BYTES", app))
