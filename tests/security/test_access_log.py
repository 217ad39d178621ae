"""The survey link's token is what opens a victim's survey: gunicorn's access log
(request line, path, referrer) shows [token] in its place."""
from __future__ import annotations

import logging

from desk.access_log import HideSurveyTokens

TOKEN = "eyJzIjo0Mn0.ZqX1bw.dGhpcy1pcy1hLXNpZ25hdHVyZQ"
FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'  # gunicorn's default


def access_record(path: str, referrer: str = "-") -> logging.LogRecord:
    # gunicorn logs its access format with a dict of atoms as the arguments
    atoms = {"h": "10.0.0.9", "l": "-", "u": "-", "t": "[23/Nov/2026:10:00:00 +0000]", "r": f"GET {path} HTTP/1.1",
             "s": "200", "b": "1500", "f": referrer, "a": "Mozilla/5.0", "U": path.split("?")[0], "q": ""}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, FORMAT, (), None)
    record.args = atoms
    return record


def test_the_token_in_the_path_and_the_referrer_is_hidden():
    record = access_record(f"/s/{TOKEN}", referrer=f"https://desk.example.org/s/{TOKEN}")
    assert HideSurveyTokens().filter(record) is True
    message = record.getMessage()
    assert TOKEN not in message
    assert '"GET /s/[token] HTTP/1.1" 200' in message and '"https://desk.example.org/s/[token]"' in message


def test_other_paths_are_left_as_they_are():
    record = access_record("/sms/inbound?x=1")
    before = record.getMessage()
    HideSurveyTokens().filter(record)
    assert record.getMessage() == before


def test_the_gunicorn_settings_put_the_filter_on_the_access_logger():
    import gunicorn_conf

    access = logging.getLogger("gunicorn.access")
    try:
        gunicorn_conf.post_worker_init(None)
        assert any(isinstance(f, HideSurveyTokens) for f in access.filters)
        gunicorn_conf.post_worker_init(None)
        assert sum(isinstance(f, HideSurveyTokens) for f in access.filters) == 1
    finally:
        for found in [f for f in access.filters if isinstance(f, HideSurveyTokens)]:
            access.removeFilter(found)
