"""Ratings given with their reason, as people text them: the rating counts once and the
words after it are the comment; anything ambiguous is asked about once (None)."""
import pytest

from flows.rating_parser import Reading, read_rating

# (text, rating, comment); rating None: unclear, ask once more
TABLE = [
    # a leading rating, then the reason
    ("4 - he was kind", 4, "he was kind"),
    ("3 but slow", 3, "but slow"),
    ("3 but he was slow to arrive", 3, "but he was slow to arrive"),
    ("5. Brilliant, she really listened", 5, "Brilliant, she really listened"),
    ("5! Thank you so much for everything", 5, "Thank you so much for everything"),
    ("2, nobody called me back", 2, "nobody called me back"),
    ("1 nobody has called me since", 1, "nobody has called me since"),
    ("4: helpful but took a while", 4, "helpful but took a while"),
    ("5 - Excellent officer, very reassuring", 5, "Excellent officer, very reassuring"),
    ("4 because she explained everything", 4, "because she explained everything"),
    ("3 as it took ages", 3, "as it took ages"),
    ("5 very kind and patient", 5, "very kind and patient"),
    ("2 didn't feel listened to", 2, "didn't feel listened to"),
    ("4/5 good but slow", 4, "good but slow"),
    ("4 out of 5, he was polite", 4, "he was polite"),
    ("5 stars, lovely lady", 5, "lovely lady"),
    ("5 stars - could not have asked for more", 5, "could not have asked for more"),
    ("five - very helpful", 5, "very helpful"),
    ("Four, he was kind", 4, "he was kind"),
    ("three because nobody told me anything", 3, "because nobody told me anything"),
    ("1. Rude", 1, "Rude"),
    ("4 😊 she was great", 4, "she was great"),
    ("5\nThe officer was amazing", 5, "The officer was amazing"),
    # a clearly marked rating, then the reason
    ("I'd give it a 3 to be honest", 3, "to be honest"),
    ("I'd give it a 4 because he was late", 4, "because he was late"),
    ("I would rate them 5, really supportive", 5, "really supportive"),
    ("my rating is 2 as nobody came", 2, "as nobody came"),
    ("rating: 4, she was kind", 4, "she was kind"),
    ("I gave him a 5 he was great", 5, "he was great"),
    ("it was a 4, bit slow", 4, "bit slow"),
    # the reason first, then a clearly marked rating
    ("Really helpful, 5/5", 5, "Really helpful"),
    ("Very kind officer 4 stars", 4, "Very kind officer"),
    ("Took too long to come out. 2/5", 2, "Took too long to come out"),
    ("she was lovely 5 out of 5", 5, "she was lovely"),
    # Polish
    ("pięć", 5, None), ("Pięć!", 5, None), ("piec", 5, None), ("cztery", 4, None), ("trzy", 3, None),
    ("5 gwiazdek", 5, None), ("4 na 5", 4, None), ("daję 5", 5, None), ("oceniam na 4", 4, None),
    ("pięć, bardzo miła policjantka", 5, "bardzo miła policjantka"),
    ("4 - był bardzo pomocny", 4, "był bardzo pomocny"),
    ("3 ale długo czekałam", 3, "ale długo czekałam"),
    ("daję 5, dziękuję za pomoc", 5, "dziękuję za pomoc"),
    ("2 nikt nie oddzwonił", 2, "nikt nie oddzwonił"),
    ("Bardzo pomocny, 5/5", 5, "Bardzo pomocny"),
    ("1 lub 2", None, None), ("o 5 przyjechał", None, None),
    # plain ratings still read as before (no comment)
    ("4", 4, None), ("5!", 5, None), ("4/5", 4, None), ("five", 5, None), ("I'd give it a 3", 3, None),
    ("5 thanks", 5, None), ("⭐⭐⭐⭐", 4, None), ("5 (excellent)", 5, None),
    # ambiguous: ask once
    ("1 or 2", None, None), ("4-5", None, None), ("4 or 5 stars", None, None), ("4.5 very good", None, None),
    ("he came at 5", None, None), ("he came at 5 o'clock", None, None), ("10/10", None, None),
    ("10/10 brilliant", None, None), ("brilliant 10/10", None, None), ("8 out of 10, good", None, None),
    ("5 minutes late and rude", None, None), ("2 officers came, both kind", None, None),
    ("3 times I called and nobody answered", None, None), ("5pm is the best time to call", None, None),
    ("3 but would have been 5 if quicker", None, None), ("between 3 and 4", None, None),
    ("0 - useless", None, None), ("6 stars!", None, None), ("45 minutes wait", None, None),
    ("the officer was great, 5 stars for her but the wait was too long", None, None),
    ("nobody has called me since and I am scared he will come back", None, None),
    ("Call me after 5", None, None), ("good", None, None), ("it was ok i suppose", None, None),
    ("a 4 hour wait", None, None), ("4 hours I waited", None, None), ("could be 4", None, None),
]


@pytest.mark.parametrize("reply, rating, comment", TABLE, ids=[repr(r) for r, _, _ in TABLE])
def test_read_rating(reply, rating, comment):
    assert read_rating(reply) == (Reading(rating, comment) if rating is not None else None)


def test_the_table_is_large_enough():
    assert len(TABLE) >= 60
