"""Fixtures for the caller's side of the phone line: callers through the emulator
(tests/fixtures/calls.py).  Golden transcripts: tests/support/golden.py."""
from tests.fixtures.calls import dial  # noqa: F401
