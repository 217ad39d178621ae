"""Signals one side of the service raises and another acts on, so the case API needn't
know that an update is also texted to the victim."""
from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; kwargs: case (Case), update (CaseUpdate), session (Session).
# Receivers run inside the API request's transaction, before it commits.
case_update_posted = _signals.signal("case-update-posted")
