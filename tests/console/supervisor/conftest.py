"""Fixtures for the supervisors' pages: logged-in clients by role, and a session for
writing rows directly (tests/support/history.py)."""
from __future__ import annotations

import pytest

from models.db import session


@pytest.fixture
def supervisor(app, client, clock, staff, login):
    staff("sup@desk.example.org", "supervisor")
    return login(client, "sup@desk.example.org")


@pytest.fixture
def db(app):
    with app.app_context():
        yield session()
