"""Helpers shared by the tests: plain modules, imported by tests and conftest files alike
(conftest files hold only fixtures)."""
