"""SENTRY_DSN sends errors to Sentry, with no phone number, request body or personal data."""
import json
import os

import pytest

from tests.support.service import ACCOUNT_SID, AUTH_TOKEN


@pytest.fixture
def reported(database_url, instance_path):
    """An app reporting to Sentry through a transport that keeps the events here."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from tests.support.workers import worker_redis_url
    from wsgi import create_app

    events = []

    class Keep(Transport):
        def capture_envelope(self, envelope):
            events.extend(item.payload.json for item in envelope.items if item.type == "event")

    app = create_app({
        "TESTING": True, "INSTANCE_PATH": str(instance_path), "DATABASE_URL": database_url,
        "REDIS_URL": worker_redis_url(os.environ.get("TEST_REDIS_URL")), "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "SECRET_KEY": "test-secret",
        "SENTRY_DSN": "https://public@sentry.invalid/1", "SENTRY_TRANSPORT": Keep(),
    })

    def boom():
        raise RuntimeError("could not text +447911123456 (07911 123456)")

    app.add_url_rule("/_test/boom", "boom", boom, methods=["POST"])
    yield app, events
    sentry_sdk.get_global_scope().set_client(None)  # later tests report nowhere


def test_an_error_in_a_request_reaches_sentry_without_the_number(reported):
    import sentry_sdk

    app, events = reported
    with pytest.raises(RuntimeError):
        app.test_client().post("/_test/boom?To=%2B447911123456", data={"Body": "call me on 07911123456"})
    sentry_sdk.flush()
    assert events, "nothing reached Sentry"
    sent = json.dumps(events)
    assert "7911" not in sent and "123456" not in sent
    assert "call me" not in sent  # no request bodies
    exception = events[-1]["exception"]["values"][-1]
    assert exception["type"] == "RuntimeError" and "[number]" in exception["value"]
    assert not events[-1]["request"].get("cookies") and not events[-1]["request"].get("data")


def test_without_a_dsn_nothing_is_set_up(app):
    import sentry_sdk

    assert app.config["SENTRY_DSN"] is None
    assert not sentry_sdk.get_client().is_active()
