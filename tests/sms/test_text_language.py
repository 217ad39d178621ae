"""A victim who speaks Polish is answered in Polish: the case's language, else their
last call's."""
import pytest
from sqlmodel import select

from models.callbacks import CallbackRequest
from models.db import session


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_call_back_asked_for_by_text_keeps_the_victims_language(app, api, case, texter, clock, language):
    case_id = case(safe_call_times=["09:00-12:00"])
    api.post("/cases", {"crime_reference": "5201234/26", "victim_phone": "07911 123456", "language": language})
    assert api.get(f"/cases/{case_id}").json["language"] == language
    texter().send("CALL")
    with app.app_context():
        [booked] = session().exec(select(CallbackRequest)).all()
    assert booked.language == language
