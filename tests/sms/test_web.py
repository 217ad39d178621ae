"""The survey on the web (QR code / link), the leaflet, and the printable QR image."""
from __future__ import annotations

import html
import re

from tests.support.numbers import VICTIM
from tests.support.service import PUBLIC_BASE_URL


def path_of(link: str) -> str:
    assert link.startswith(PUBLIC_BASE_URL + "/s/")
    return link[len(PUBLIC_BASE_URL):]


def nonce(page) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def visible(page) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))


def test_rate_on_the_web_then_comment(app, api, client, clock, engage):
    created = engage()
    path = path_of(created["survey_link"])
    page = client.get(path)
    assert page.status_code == 200
    text = visible(page)
    assert "How did we do?" in text and "1 (very poor) to 5 (excellent)" in text
    assert all(f'name="rating" value="{n}"' in page.get_data(as_text=True) for n in range(1, 6))
    for secret in ("PC 4521 Lambeth", "5201234", "Lambeth", "07911", VICTIM):
        assert secret not in page.get_data(as_text=True), "the page reveals nothing about the case"
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    assert 'href="/leaflet"' in page.get_data(as_text=True)

    rated = client.post(path, data={"nonce": nonce(page), "rating": "4"})
    assert rated.status_code == 200 and "We have recorded your rating of 4" in visible(rated)
    commented = client.post(path, data={"nonce": nonce(rated), "comment": "Kind, but slow to call back"})
    assert "Thank you for your comment" in visible(commented)
    assert 'name="comment"' not in commented.get_data(as_text=True), "one comment is enough"

    [survey] = api.get("/surveys").json["surveys"]
    assert (survey["rating"], survey["rated_via"], survey["comment"]) == (4, "web", "Kind, but slow to call back")


def test_the_comment_box_is_optional(api, client, clock, engage):
    """The box says "(optional)": the browser must not demand it, and sending it empty
    thanks the victim instead of asking for a rating they already gave."""
    path = path_of(engage()["survey_link"])
    page = client.get(path)
    rated = client.post(path, data={"nonce": nonce(page), "rating": "3"})
    box = re.search(r"<textarea[^>]*>", rated.get_data(as_text=True)).group(0)
    assert "required" not in box and "(optional)" in visible(rated)
    empty = client.post(path, data={"nonce": nonce(rated), "comment": "  "})
    assert empty.status_code == 200 and "Thank you" in visible(empty)
    assert "Please choose a rating" not in visible(empty)
    [survey] = api.get("/surveys").json["surveys"]
    assert (survey["rating"], survey["comment"]) == (3, None)


def test_rating_and_comment_in_one_go(api, client, clock, engage):
    path = path_of(engage()["survey_link"])
    page = client.get(path)
    client.post(path, data={"nonce": nonce(page), "rating": "5", "comment": "Brilliant"})
    [survey] = api.get("/surveys").json["surveys"]
    assert (survey["rating"], survey["comment"]) == (5, "Brilliant")


def test_second_rating_on_the_web_keeps_the_first_even_if_given_by_text(app, client, clock, engage, deliver,
                                                                       fake_twilio, texter, api):
    created = engage()
    clock.advance(minutes=61)
    deliver()
    texter().send("2")
    path = path_of(created["survey_link"])
    page = client.get(path)
    assert "You rated this contact 2" in visible(page)
    again = client.post(path, data={"nonce": nonce(page), "rating": "5"})
    assert "You already rated this contact 2, so we kept your first answer and did not record 5." in visible(again)
    assert api.get("/surveys").json["surveys"][0]["rating"] == 2


def test_forged_expired_and_stale_forms(client, clock, engage):
    path = path_of(engage()["survey_link"])
    assert client.get("/s/not-a-token").status_code == 404
    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.post("/s/not-a-token", data={"rating": "5"}).status_code == 404
    no_nonce = client.post(path, data={"rating": "5"})
    assert no_nonce.status_code == 400 and "out of date" in visible(no_nonce)
    bad_rating = client.post(path, data={"nonce": nonce(client.get(path)), "rating": "9"})
    assert bad_rating.status_code == 400
    clock.advance(days=8)
    gone = client.get(path)
    assert gone.status_code in (404, 410) and "PC 4521 Lambeth" not in gone.get_data(as_text=True)


def test_leaflet(client):
    page = client.get("/leaflet")
    assert page.status_code == 200
    text = visible(page)
    for needed in ("Victims' Code", "Victim Support", "0808 168 9111", "999", "101"):
        assert needed in text
    assert '<html lang="en-GB">' in page.get_data(as_text=True)


def test_printable_qr_code(api, client, clock, engage):
    created = engage()
    svg = api.get(f"/surveys/{created['survey_id']}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    png = api.get(f"/surveys/{created['survey_id']}/qr.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert api.get("/surveys/99999/qr.svg").status_code == 404
    assert api.get(f"/surveys/{created['survey_id']}/qr.gif").status_code == 404
    assert client.get(f"/api/v1/surveys/{created['survey_id']}/qr.svg").status_code == 401


def test_qr_code_encodes_the_survey_link(api, clock, engage):
    import segno

    created = engage()
    expected = segno.make(created["survey_link"], error="q", micro=False)
    png = api.get(f"/surveys/{created['survey_id']}/qr.png").data
    import io

    out = io.BytesIO()
    expected.save(out, kind="png", scale=12, border=4)
    assert png == out.getvalue()


def test_suppressed_invitation_still_has_a_working_link(api, client, clock, case):
    case(sms_allowed=False)
    created = api.post("/engagements", {"officer_id": "MP1", "officer_name": "PC 1001", "borough": "Lambeth",
                                         "victim_phone": VICTIM, "occurred_at": "2026-11-23T09:00:00Z"}).json
    assert created["invitation"] == "suppressed"
    page = client.get(path_of(created["survey_link"]))
    assert page.status_code == 200 and "How did we do?" in visible(page)
