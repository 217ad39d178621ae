"""`flask --app wsgi worker`, but with the job modules imported before RQ forks a work
horse per job, so each job does not import them again.  Used by outbox.py --preload
to show what that costs; the command itself is unchanged."""
import sys

import workers.callbacks  # noqa: F401
import workers.outbox  # noqa: F401
import workers.router  # noqa: F401
from twilio.rest.api.v2010.account.message import MessageList  # noqa: F401
from flask.cli import main

sys.argv = ["flask", "--app", "wsgi", "worker", *sys.argv[1:]]
main()
