"""`flask --app wsgi worker`, but with RQ's SimpleWorker: each job runs in the worker
process itself, in an app context of its own, instead of in a work horse forked for
it.  Used by outbox.py --simple to show what the fork costs the outbox's sends and the
no-op jobs alike; the service's own command is unchanged (a job that crashes its
process, or leaks, takes a SimpleWorker down with it)."""
import sys

import rq
from flask import current_app
from flask.cli import main


class JobContextWorker(rq.SimpleWorker):
    # A fresh app context per job, as a forked work horse has: the jobs' database
    # session lives in it and must not carry one job's objects into the next.
    def execute_job(self, job, queue):
        with current_app._get_current_object().app_context():
            return super().execute_job(job, queue)


rq.Worker = JobContextWorker  # desk/cli.py's worker command builds rq.Worker
sys.argv = ["flask", "--app", "wsgi", "worker", *sys.argv[1:]]
main()
