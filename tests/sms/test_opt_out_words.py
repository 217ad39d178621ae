"""Opt-outs in the victim's own words (flows/keywords.py opt_out_intent): what opts
out, what is only told how to, and what is not about stopping at all."""
import pytest

from flows.keywords import OPT_OUT, STOP_MENTIONED, opt_out_intent

TABLE = [
    # STOP or UNSUBSCRIBE as the first or last word of a short message
    ("please stop", OPT_OUT), ("Stop texting me", OPT_OUT), ("stop please", OPT_OUT), ("STOP!!", OPT_OUT),
    ("Please STOP.", OPT_OUT), ("stop it", OPT_OUT), ("Stop sending these", OPT_OUT),
    ("unsubscribe me please", OPT_OUT), ("Can you unsubscribe", OPT_OUT), ("ok stop", OPT_OUT),
    ("I want this to stop", OPT_OUT), ("stop now thanks", OPT_OUT), ("Stop \U0001f64f", OPT_OUT),
    # a short message made of stop phrases
    ("no more texts", OPT_OUT), ("No more texts please", OPT_OUT), ("no more messages thank you", OPT_OUT),
    ("take me off your list", OPT_OUT), ("remove my number please", OPT_OUT), ("opt me out", OPT_OUT),
    ("please stop texting me, thank you", OPT_OUT),
    ("nie pisz", OPT_OUT), ("Nie piszcie do mnie", OPT_OUT), ("proszę nie pisać", OPT_OUT),
    ("wypisz mnie", OPT_OUT), ("nie wysyłajcie sms", OPT_OUT), ("stop sms", OPT_OUT),
    # negations never opt out
    ("please don't stop", None), ("don't stop", None), ("please don't stop the investigation", None),
    ("do not stop looking for him", None), ("I never said stop", None),
    ("stop, don't text me again", STOP_MENTIONED),
    # CANCEL, END, QUIT inside a sentence are not opt-outs
    ("cancel my callback", None), ("Can I cancel the call back", None), ("end of the day is best", None),
    ("I want to quit my job", None), ("at the end he was kind", None), ("please cancel", None),
    # a longer message that merely contains "stop"
    ("he told me to stop calling the police and I am worried about what happens next", STOP_MENTIONED),
    ("the officer said they would stop by on Tuesday", STOP_MENTIONED),
    ("can you make him stop coming round to my house at night", STOP_MENTIONED),
    ("I want the messages to stop because he reads my phone every night", STOP_MENTIONED),
    # not about stopping at all
    ("5", None), ("thanks", None), ("stopped", None), ("nonstop calls from him", None), ("", None),
    (None, None), ("help me", None), ("nie wiem", None),
]


@pytest.mark.parametrize("text, intent", TABLE, ids=[repr(t) for t, _ in TABLE])
def test_opt_out_intent(text, intent):
    assert opt_out_intent(text) == intent
