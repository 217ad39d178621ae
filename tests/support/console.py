"""Driving the desk console as staff do: the login form, forms with their CSRF token,
and a caller put in the queue for an agent to take."""
from __future__ import annotations

import re

from tests.support.cases import REFERENCE_KEYS
from tests.support.numbers import VICTIM

DEFAULT_PASSWORD = "correct horse battery staple"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token in a form"
    return match.group(1)


def log_in(client, email: str, password: str = DEFAULT_PASSWORD):
    """Log CLIENT in with the login form; returns the client."""
    form = client.get("/console/login")
    assert form.status_code == 200, form.status_code
    response = client.post("/console/login", data={
        "email": email, "password": password, "csrf_token": csrf_from(form.get_data(as_text=True))})
    assert response.status_code == 302, f"login failed ({response.status_code})"
    return client


def form_post(client, page_url: str, action: str, data: dict):
    """POST a console form found on PAGE_URL with the page's CSRF token."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


def queue_caller(dial, from_: str = VICTIM, *, verify: bool = False):
    """An emulated caller who (optionally) types the case reference, then asks for the desk."""
    caller = dial(from_)
    if verify:
        caller.press("1")
        caller.press(REFERENCE_KEYS)
    caller.press("2")
    assert caller.waiting_for == "queue", caller.transcript[-3:]
    return caller
