"""Retention periods of their own: cases and their updates (CASE_RETENTION_DAYS, sooner
once closed), the audit log (kept whole, then deleted) and callbacks that were never
placed (expired with a reason, then anonymised like any other)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from desk import settings
from desk.settings import ConfigError
from models.callbacks import CallbackRequest, CallbackStatus
from models.cases import Case, CaseUpdate
from models.db import session
from models.staff import AuditLog
from services.retention import ANONYMISED, anonymise_old_records
from tests.support.numbers import OTHER, OTHER_PHONE, VICTIM
from tests.support.service import MONDAY_10AM
from wsgi import create_app

NOW = MONDAY_10AM
HOUR = timedelta(hours=1)
UPDATE = "A suspect was arrested at 4 Acacia Road."


def rows(app, model):
    with app.app_context():
        return session().exec(select(model).order_by(model.id)).all()


def by_id(app, model, row_id):
    with app.app_context():
        return session().get(model, row_id)


def a_case(api, clock, *, at, phone, reference, status=None):
    """A case registered and last updated (with a full-detail update) at AT."""
    clock.current = at
    body = {"crime_reference": reference, "victim_phone": phone, "victim_name": "Jane Doe",
            "officer_name": "PC 4521 Lambeth", "borough": "Lambeth", "contact": {"update_detail": "full"}}
    response = api.post("/cases", body)
    assert response.status_code in (200, 201), response.json
    case_id = response.json["id"]
    update = {"message": UPDATE} | ({"status": status} if status else {})
    assert api.post(f"/cases/{case_id}/updates", update).status_code == 201
    return case_id


def is_anonymised(case: Case) -> bool:
    return (case.victim_phone, case.crime_reference, case.victim_name, case.officer_name, case.safe_call_times) \
        == (ANONYMISED, ANONYMISED, None, None, []) and case.reference_digits == f"anon:{case.id}" \
        and case.reference_key == f"anon:{case.id}"


def messages(app, case_id):
    return [u.message for u in rows(app, CaseUpdate) if u.case_id == case_id]


@pytest.fixture
def cases(app, api, clock):
    """Cases last updated just outside and just inside each case period."""
    made = {
        "open_outside": a_case(api, clock, at=NOW - timedelta(days=400) - HOUR, phone="07911 100001",
                               reference="5200001/25"),
        "open_inside": a_case(api, clock, at=NOW - timedelta(days=400) + HOUR, phone="07911 100002",
                              reference="5200002/25"),
        "closed_outside": a_case(api, clock, at=NOW - timedelta(days=90) - HOUR, phone="07911 100003",
                                 reference="5200003/26", status="NFA"),
        "closed_inside": a_case(api, clock, at=NOW - timedelta(days=90) + HOUR, phone="07911 100004",
                                reference="5200004/26", status="Closed"),
        "open_updated_lately": a_case(api, clock, at=NOW - timedelta(days=500), phone="07911 100005",
                                      reference="5200005/25"),
    }
    clock.current = NOW - timedelta(days=10)
    assert api.post(f"/cases/{made['open_updated_lately']}/updates", {"message": "Still open."}).status_code == 201
    clock.current = NOW
    return made


def test_cases_past_their_period_lose_every_personal_field(app, cases):
    with app.app_context():
        counts = anonymise_old_records()
    assert (counts["cases"], counts["case_updates"]) == (2, 2)
    for name in ("open_outside", "closed_outside"):
        case = by_id(app, Case, cases[name])
        assert is_anonymised(case), name
        assert (case.borough, case.created_at is not None) == ("Lambeth", True), "kept for the counts"
        assert messages(app, cases[name]) == [""], "the update row stays, its text goes"
    assert by_id(app, Case, cases["closed_outside"]).status == "NFA", "the status stays for the counts"
    for name in ("open_inside", "closed_inside", "open_updated_lately"):
        case = by_id(app, Case, cases[name])
        assert case.victim_phone.startswith("+44") and case.victim_name == "Jane Doe", name
        assert UPDATE in messages(app, cases[name])


def test_closed_statuses_and_periods_are_settings(app, cases):
    settings.override(app.config, CASE_CLOSED_STATUSES=" closed , Finalised", CASE_CLOSED_RETENTION_DAYS=30)
    assert app.config["CASE_CLOSED_STATUSES"] == ("closed", "finalised")
    with app.app_context():
        assert anonymise_old_records()["cases"] == 2  # "Closed" now counts as closed; "NFA" waits for 400 days
    assert is_anonymised(by_id(app, Case, cases["closed_inside"]))
    assert not is_anonymised(by_id(app, Case, cases["closed_outside"]))


def test_a_case_with_an_open_callback_waits(app, clock, cases):
    with app.app_context():
        db = session()
        db.add(CallbackRequest(phone="+447911100001", requested_at=NOW - timedelta(days=2),
                               verified_case_id=cases["open_outside"]))
        db.commit()
        assert anonymise_old_records()["cases"] == 1
    assert not is_anonymised(by_id(app, Case, cases["open_outside"]))
    clock.current = NOW + timedelta(days=13)  # the callback expires; the case goes with it
    with app.app_context():
        assert anonymise_old_records()["callbacks_expired"] == 1
    assert is_anonymised(by_id(app, Case, cases["open_outside"]))


def test_an_anonymised_case_cannot_be_found_by_its_old_number_or_reference(app, api, clock, dial, texter):
    case_id = a_case(api, clock, at=NOW - timedelta(days=401), phone="07911 123456", reference="5201234/25")
    clock.current = NOW
    with app.app_context():
        assert anonymise_old_records()["cases"] == 1
    call = dial(from_=VICTIM)
    call.press("1")
    call.press("520123425#")
    call.hang_up()
    assert "arrested" not in call.heard() and "Acacia" not in call.heard()
    assert texter(VICTIM).send("UPDATE") == [  # the one neutral answer of a number with no case
        "We cannot send an update by text to this number. To talk to us call 020 7946 0000. "
        "In an emergency call 999."]
    # the case system sending the reference again makes a new case, not the old one back
    response = api.post("/cases", {"crime_reference": "5201234/25", "victim_phone": "07911 123456"})
    assert response.status_code == 201 and response.json["id"] != case_id
    assert is_anonymised(by_id(app, Case, case_id))


def audit(app, at):
    with app.app_context():
        db = session()
        row = AuditLog(at=at, staff_id=1, staff_email="agent@example.org", action="view_case",
                       subject="case:1", why="victim rang about the hearing")
        db.add(row)
        db.commit()
        return row.id


def test_the_audit_log_is_kept_whole_for_its_period_then_deleted(app, clock):
    outside = audit(app, NOW - timedelta(days=2190) - HOUR)
    inside = audit(app, NOW - timedelta(days=2190) + HOUR)
    recent = audit(app, NOW - timedelta(days=500))
    with app.app_context():
        assert anonymise_old_records(dry_run=True)["audit_log_deleted"] == 1
        assert len(rows(app, AuditLog)) == 3, "a dry run deletes nothing"
        assert anonymise_old_records()["audit_log_deleted"] == 1
    kept = rows(app, AuditLog)
    assert [r.id for r in kept] == [inside, recent] and outside not in [r.id for r in kept]
    assert all((r.staff_email, r.why) == ("agent@example.org", "victim rang about the hearing") for r in kept), \
        "evidence is kept whole, never anonymised"


def callback(app, *, requested_at, status=CallbackStatus.PENDING, attempts=0, phone=VICTIM):
    with app.app_context():
        db = session()
        row = CallbackRequest(phone=phone, requested_at=requested_at, status=status, attempts=attempts,
                              window_start="18:00", window_end="20:00")
        db.add(row)
        db.commit()
        return row.id


def test_pending_callbacks_expire_with_the_reason_then_follow_the_normal_rules(app, clock):
    outside = callback(app, requested_at=NOW - timedelta(days=14) - HOUR)
    tried = callback(app, requested_at=NOW - timedelta(days=30), attempts=2, phone=OTHER)
    inside = callback(app, requested_at=NOW - timedelta(days=14) + HOUR)
    working = callback(app, requested_at=NOW - timedelta(days=30), status=CallbackStatus.IN_PROGRESS)
    ancient = callback(app, requested_at=NOW - timedelta(days=401), phone=OTHER_PHONE)
    with app.app_context():
        counts = anonymise_old_records()
    assert counts["callbacks_expired"] == 3 and counts["callback_requests"] == 1
    expired = by_id(app, CallbackRequest, outside)
    assert (expired.status, expired.last_outcome) == ("expired", "expired: never due within 14 days")
    assert expired.phone == VICTIM, "anonymised only after RETENTION_DAYS, like any finished callback"
    assert by_id(app, CallbackRequest, tried).last_outcome == "expired: not reached within 14 days (2 attempts)"
    assert by_id(app, CallbackRequest, inside).status == "pending"
    assert by_id(app, CallbackRequest, working).status == "in_progress", "an agent may be on the phone"
    old = by_id(app, CallbackRequest, ancient)
    assert (old.status, old.phone, old.window_start) == ("expired", ANONYMISED, None)


def test_every_new_rule_dry_runs_and_a_second_run_changes_nothing(app, cases):
    audit(app, NOW - timedelta(days=2200))
    callback(app, requested_at=NOW - timedelta(days=20))
    with app.app_context():
        dry = anonymise_old_records(dry_run=True)
        assert {k: dry[k] for k in ("cases", "case_updates", "audit_log_deleted", "callbacks_expired")} == {
            "cases": 2, "case_updates": 2, "audit_log_deleted": 1, "callbacks_expired": 1}
        assert anonymise_old_records(dry_run=True) == dry, "a dry run must not change anything"
        assert anonymise_old_records() == dry
        assert set(anonymise_old_records().values()) == {0}
    assert [r for r in rows(app, AuditLog) if r.at < NOW - timedelta(days=2190)] == [], "the old entry is gone"


def test_the_cli_lists_the_new_tables(app, cases):
    dry = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    for line in ("cases: 2", "case_updates: 2", "audit_log_deleted: 0", "callbacks_expired: 0"):
        assert line in dry.output, dry.output
    assert "cases 400 days (closed: 90 days)" in dry.output and "audit log 2190 days" in dry.output


def test_a_closed_period_longer_than_the_case_period_is_refused(app):
    with pytest.raises(ConfigError) as refused:
        create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"],
                    "CASE_CLOSED_RETENTION_DAYS": "500"})
    assert "CASE_CLOSED_RETENTION_DAYS" in str(refused.value)
