"""The databases every database test runs on: SQLite always, PostgreSQL when
TEST_DATABASE_URL names one."""
from __future__ import annotations

import os

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
