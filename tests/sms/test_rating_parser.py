"""Ratings as people text them.  None means "ask again", never a guess."""
import pytest

from flows.rating_parser import parse_rating

TABLE = [
    # plain numbers, the way they arrive
    ("4", 4), (" 5 ", 5), ("5!", 5), ("5.", 5), ("3!!!", 3), ("1", 1), ("2\n", 2), ("\t4 ", 4),
    ("5 :)", 5), ("5 👍", 5), ("4️⃣", 4), ('"4"', 4),
    # out of five
    ("4/5", 4), ("4 / 5", 4), ("4 out of 5", 4), ("4 outta 5", 4), ("4 of 5", 4), ("5/5!", 5),
    # words
    ("five", 5), ("FIVE", 5), ("Five!", 5), ("three out of five", 3), ("One", 1), ("four stars", 4),
    # stars
    ("4 stars", 4), ("5 star", 5), ("1 star.", 1), ("Five stars!!", 5), ("4*", 4),
    ("⭐⭐⭐⭐", 4), ("⭐️⭐️⭐️⭐️⭐️", 5), ("★★★☆☆", 3), ("⭐", 1),
    # sentences that are only a rating
    ("I'd give it a 3", 3), ("I\u2019d give it a 3", 3), ("id give it a 4", 4), ("I would rate them 4 out of 5", 4),
    ("I'd rate the officer 5 stars", 5), ("I give it a five", 5), ("I'd say 4", 4), ("my rating is 4", 4),
    ("rating: 2", 2), ("a 4", 4), ("it was a 5", 5), ("it's a 4", 4), ("5 thanks", 5), ("4 thank you", 4),
    ("5 please", 5), ("score 3", 3),
    # the scale's own labels
    ("Excellent", 5), ("excellent!", 5), ("very poor", 1), ("5 (excellent)", 5), ("1 - very poor", 1),
    ("5 excellent", 5), ("4 good", 4),
    # out of range
    ("0", None), ("6", None), ("45", None), ("10", None), ("-1", None), ("0/5", None), ("6 stars", None),
    ("⭐⭐⭐⭐⭐⭐", None),
    # another scale
    ("10/10", None), ("8 out of 10", None), ("4/10", None), ("ten out of ten", None),
    # ambiguous
    ("1 or 2", None), ("4-5", None), ("4 to 5", None), ("4.5", None), ("3,5", None), ("4 or 5 stars", None),
    ("between 3 and 4", None), ("5 5", None), ("2 stars ⭐⭐", None),
    # not a rating at all
    ("", None), ("   ", None), ("yes", None), ("no", None), ("good", None), ("thanks", None),
    ("he came at 5 o'clock", None), ("Call me after 5", None), ("what is this?", None), ("STOP", None),
    ("the officer was great, 5 stars for her but the wait was too long", None), (None, None),
]


@pytest.mark.parametrize("reply, rating", TABLE, ids=[repr(r) for r, _ in TABLE])
def test_parse_rating(reply, rating):
    assert parse_rating(reply) == rating
