"""gunicorn settings every deployment needs: ``gunicorn -c gunicorn_conf.py … wsgi:app``
(dev.py serve passes it too)."""
from desk.access_log import hide_survey_tokens


def post_worker_init(worker) -> None:
    # each worker writes its own access lines; the filter is on the logger they use
    hide_survey_tokens()
