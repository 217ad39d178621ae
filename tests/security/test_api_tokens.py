"""API tokens carry scopes and may expire; every API read or write of personal data
is in the audit log under the token's name."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from models.db import session
from models.staff import AuditLog
from models.tokens import SCOPES
from services.api_tokens import issue_token

# One request per endpoint family, and the scope it needs.
FAMILIES = [
    ("POST", "/api/v1/cases", "cases:write"),
    ("POST", "/api/v1/cases/1/updates", "cases:write"),
    ("GET", "/api/v1/cases/1", "cases:read"),
    ("POST", "/api/v1/engagements", "engagements:write"),
    ("GET", "/api/v1/surveys", "surveys:read"),
    ("GET", "/api/v1/surveys/1/qr.svg", "surveys:read"),
    ("GET", "/api/v1/ratings/summary", "ratings:read"),
    ("GET", "/api/v1/calls", "calls:read"),
    ("GET", "/api/v1/callbacks", "callbacks:read"),
]

CASE = {"crime_reference": "5201234/26", "victim_phone": "07911 123456"}


def _token(app, name: str, scopes, expires_at: datetime | None = None) -> dict:
    with app.app_context():
        return {"Authorization": f"Bearer {issue_token(name, scopes=scopes, expires_at=expires_at)}"}


def _audit(app) -> list[AuditLog]:
    with app.app_context():
        return list(session().exec(select(AuditLog).order_by(AuditLog.id)).all())


@pytest.mark.parametrize("method, path, scope", FAMILIES)
def test_a_token_without_the_scope_gets_403_naming_it(app, client, method, path, scope):
    headers = _token(app, "narrow", [s for s in SCOPES if s != scope])
    response = client.open(path, method=method, headers=headers, json={})
    assert response.status_code == 403, response.json
    assert scope in response.json["error"]


def test_every_operation_documents_its_scope_and_the_403(client):
    doc = client.get("/api/v1/openapi.json").json
    needed = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if path == "/openapi.json":
                continue
            [requirement] = op["security"]
            needed[(method.upper(), "/api/v1" + path)] = requirement["bearer"]
            assert "403" in op["responses"]
    for method, path, scope in FAMILIES:
        path = path.replace("/1", "/{case_id}") if "cases/1" in path else path.replace("/1/", "/{survey_id}/")
        assert needed[(method, path)] == [scope]


def test_an_unknown_scope_is_refused_at_creation(app):
    with app.app_context(), pytest.raises(ValueError, match="calls:delete"):
        issue_token("odd", scopes=["calls:delete"])


def test_an_expired_token_gets_401(app, client, clock):
    result = app.test_cli_runner().invoke(args=["api-token", "create", "short-lived", "--scope", "calls:read",
                                                "--expires", "2026-11-30"])
    assert result.exit_code == 0, result.output
    headers = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    assert client.get("/api/v1/calls", headers=headers).status_code == 200
    clock.advance(days=8)  # past the end of 30 November
    response = client.get("/api/v1/calls", headers=headers)
    assert response.status_code == 401 and "expired" in response.json["error"]


def test_the_cli_needs_a_scope_and_lists_scopes_expiry_and_last_use(app, client, clock):
    runner = app.test_cli_runner()
    none = runner.invoke(args=["api-token", "create", "case-system"])
    assert none.exit_code != 0 and "--scope" in none.output
    bad = runner.invoke(args=["api-token", "create", "case-system", "--scope", "everything"])
    assert bad.exit_code != 0 and "everything" in bad.output
    made = runner.invoke(args=["api-token", "create", "case-system", "--scope", "cases:write",
                               "--scope", "engagements:write", "--expires", "2027-06-30"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    client.post("/api/v1/cases", json=CASE, headers={"Authorization": f"Bearer {token}"})
    listing = runner.invoke(args=["api-token", "list"]).output
    [line] = [row for row in listing.splitlines() if row.startswith("case-system")]
    assert "cases:write engagements:write" in line
    assert "expires 2027-06-30" in line
    assert "last used 2026-11-23" in line


def test_reading_calls_is_audited_under_the_token_name(app, client):
    headers = _token(app, "case-system", ["calls:read"])
    assert client.get("/api/v1/calls?limit=5", headers=headers).status_code == 200
    [row] = _audit(app)
    assert (row.staff_email, row.staff_id, row.action) == ("api:case-system", None, "api_list_calls")
    assert "limit=5" in (row.why or "")


def test_writing_a_case_is_audited_with_its_id(app, client):
    headers = _token(app, "case-system", ["cases:write"])
    created = client.post("/api/v1/cases", json=CASE, headers=headers)
    assert created.status_code == 201
    [row] = _audit(app)
    assert (row.staff_email, row.action, row.subject) == (
        "api:case-system", "api_upsert_case", f"case:{created.json['id']}")


def test_a_refused_request_reads_nothing_and_is_not_audited_as_a_read(app, client):
    headers = _token(app, "narrow", ["surveys:read"])
    assert client.get("/api/v1/calls", headers=headers).status_code == 403
    assert _audit(app) == []

