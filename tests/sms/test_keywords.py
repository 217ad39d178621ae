"""Keywords: the whole message, any case, trailing punctuation forgiven."""
import pytest

from flows.keywords import CALLBACK, HELP, OPT_IN, OPT_OUT, UPDATE, keyword

CASES = [
    *[(w, OPT_OUT) for w in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")],
    *[(w, OPT_IN) for w in ("START", "YES", "UNSTOP")],
    ("HELP", HELP), ("INFO", HELP), ("CALL", CALLBACK), ("UPDATE", UPDATE),
    ("stop", OPT_OUT), (" Stop ", OPT_OUT), ("STOP.", OPT_OUT), ("stop!", OPT_OUT), ("Help?", HELP),
    ("help!!", HELP), ("Call.", CALLBACK), ("update\n", UPDATE), ("Yes!", OPT_IN), ("optout", OPT_OUT),
    ("please stop", None), ("stop texting me please", None), ("don't stop", None), ("CALL ME", None),
    ("helpful", None), ("stopped", None), ("", None), (None, None), ("5", None), ("S T O P", None),
]


@pytest.mark.parametrize("text, action", CASES, ids=[repr(t) for t, _ in CASES])
def test_keyword(text, action):
    assert keyword(text) == action
