"""Requests signed exactly as Twilio signs them, for the bad-input and security tests
(the routes sorted by who may call them: tests/support/routes.py)."""
from __future__ import annotations

import pytest

from emulator.signing import post_signed
from tests.support.routes import with_query
from tests.support.service import AUTH_TOKEN, PUBLIC_BASE_URL


@pytest.fixture
def twilio_post(client):
    """POST form PARAMS to PATH (with QUERY) signed as Twilio signs: the public URL,
    query string included, and every parameter."""

    def send(path: str, params: dict, query: dict | None = None, headers: dict | None = None):
        url = with_query(path, query)
        if headers:
            from emulator.signing import absolute_url, form, signature_headers

            full = absolute_url(PUBLIC_BASE_URL, url)
            return client.post(url, data=form(params), base_url=PUBLIC_BASE_URL,
                               headers={**signature_headers(full, form(params), AUTH_TOKEN), **headers})
        return post_signed(client, PUBLIC_BASE_URL, url, params, AUTH_TOKEN)

    return send
