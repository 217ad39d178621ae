"""A case is its full crime reference: the keypad digits only find the caller's own
cases, and a caller whose digits match more than one of them is put through to the desk
rather than read the wrong one."""
from __future__ import annotations

from sqlmodel import select

from flows import case_status

from models.calls import Call
from models.db import session
from tests.support.numbers import STRANGER, VICTIM

KEYS = "999926#"
AMBIGUOUS_EN = "More than one case matches. We are putting you through to the desk."


def add_case(api, reference, phone, status):
    created = api.post("/cases", {"crime_reference": reference, "victim_phone": phone, "status": status})
    assert created.status_code == 201, created.json
    return created.json["id"]


def verified_case(app, sid):
    with app.app_context():
        return session().exec(select(Call).where(Call.call_sid == sid)).one().verified_case_id


def test_each_victim_hears_their_own_case_when_two_references_share_the_digits(app, api, dial):
    cad = add_case(api, "CAD 9999/26", VICTIM, "under investigation")
    cris = add_case(api, "CRIS 9999/26", STRANGER, "charged")
    for phone, case_id, status in ((VICTIM, cad, "under investigation"), (STRANGER, cris, "charged")):
        call = dial(phone)
        call.press("1")
        call.press(KEYS)
        assert case_status.phrase(status, "en") in call.heard()
        call.hang_up()
        assert verified_case(app, call.call_sid) == case_id


def test_two_of_the_callers_cases_matching_the_digits_put_them_through_to_the_desk(app, api, dial):
    add_case(api, "CAD 9999/26", VICTIM, "under investigation")
    add_case(api, "CRIS 9999/26", VICTIM, "charged")
    call = dial()
    call.press("1")
    call.press(KEYS)
    heard = call.heard()
    assert AMBIGUOUS_EN in heard
    assert "under investigation" not in heard and "charged" not in heard
    assert call.waiting_for == "queue"  # the desk is open on Monday at 10:00
    call.hang_up()
    assert verified_case(app, call.call_sid) is None


def test_the_ambiguous_case_in_polish(api, dial):
    add_case(api, "1234/05DEC26", VICTIM, "under investigation")
    add_case(api, "1234/05JAN26", VICTIM, "charged")
    call = dial()
    call.press("8")
    call.press("1")
    call.press("12340526#")
    assert "pasuje więcej niż jedna sprawa" in call.heard()
    assert call.waiting_for == "queue"
    call.hang_up()
