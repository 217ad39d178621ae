"""Fixtures: the app on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL
is set) and a real Redis (embedded, or TEST_REDIS_URL), cleaned between tests."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

# Helpers' own asserts explain their failures as the tests' asserts do.
pytest.register_assert_rewrite("tests.support", "tests.fixtures")

from desk.clock import FixedClock  # noqa: E402
from models import migrate  # noqa: E402
from tests.support.backends import BACKENDS  # noqa: E402
from tests.support.service import ACCOUNT_SID, AUTH_TOKEN, DESK_NUMBER, MONDAY_10AM, PUBLIC_BASE_URL  # noqa: E402
from tests.support.workers import worker_database_url, worker_redis_url  # noqa: E402

# The real-browser fixtures (Chromium on a loopback server), for the console's pages and
# the victims' alike: defined once, since a second session-scoped Playwright would
# refuse to start inside the first one's loop.
from tests.console.browser_support import (  # noqa: E402, F401
    browser, live_server, new_page, page, pytest_runtest_makereport)

# Property-based tests: bounded and repeatable in CI, random (and remembered) by hand.
# The fuzz tests in tests/security fix their own example counts (FUZZ_EXAMPLES) and
# derandomise themselves; these profiles cover every other @given.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True, database=None,
                          print_blob=True)
settings.register_profile("dev", deadline=None, database=DirectoryBasedExampleDatabase(
    Path(__file__).resolve().parent / "artifacts" / "hypothesis"))
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# argon2id at its cheapest for the suite's own process: the service's hasher (argon2-cffi's
# defaults, RFC 9106 low-memory, ~0.1-0.2 s a hash by design) made every staff account,
# log-in and case PIN cost that much, hundreds of times over.  Hashes are still argon2id
# PHC strings, checked the same way; test_passwords_are_stored_as_argon2id_with_the_
# services_parameters (tests/console/test_access.py) checks the service's own hasher
# through `service_password_hasher`, and the worker and `dev.py serve` processes the
# fleet tests start use it unchanged.
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    from argon2 import PasswordHasher

    from services import passwords

    service = passwords._hasher
    with pytest.MonkeyPatch.context() as patch:
        cheap = PasswordHasher(**CHEAP_ARGON2)
        patch.setattr(passwords, "_hasher", cheap)
        patch.setattr(passwords, "_DUMMY_HASH", cheap.hash("no account has this password"))
        yield service


@pytest.fixture
def service_password_hasher(_cheap_password_hashing, monkeypatch):
    """The service's own argon2 parameters back for one test."""
    from services import passwords

    monkeypatch.setattr(passwords, "_hasher", _cheap_password_hashing)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _cheap_password_hashing.hash("no account has this password"))
    return _cheap_password_hashing


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    from desk.redis_conn import shutdown_embedded

    yield tmp_path_factory.mktemp("instance")
    shutdown_embedded()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, instance_path):
    if request.param == "sqlite":
        url = f"sqlite:///{instance_path / 'test.sqlite3'}"
    else:
        _refuse_real_data(os.environ["TEST_DATABASE_URL"])
        url = worker_database_url(os.environ["TEST_DATABASE_URL"])
        _drop_everything(url)
    migrate.upgrade(url)
    return url


def _refuse_real_data(url: str) -> None:
    # The suite starts from an empty schema; a name without "test" is someone's real data
    name = make_url(url).database or ""
    if "test" not in name.lower():
        raise pytest.UsageError(f"TEST_DATABASE_URL names the database {name!r}: the tests drop everything in "
                                "it, so its name must contain 'test'")


def _drop_everything(url: str) -> None:
    _refuse_real_data(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def app(database_url, instance_path):
    # Emptied before the app starts: start-up reads the tables (the desk-hours overrides,
    # which the app then keeps for a while), so it must not see the last test's rows.
    _empty_tables(database_url)
    overrides = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": database_url,
        "REDIS_URL": worker_redis_url(os.environ.get("TEST_REDIS_URL")),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_PHONE_NUMBER": DESK_NUMBER,
        "SECRET_KEY": "test-secret",
    }
    app = _APPS.get(overrides)
    from desk.redis_conn import connect
    from services.hours import forget_cached_overrides

    connect(app.config).flushdb()
    with app.app_context():
        forget_cached_overrides()  # the process keeps the emptied table's overrides for a while
    yield app
    _APPS.keep_if_unchanged(app)


class _Apps:
    """Making an app costs more than most tests (its routes compiled, the call flow
    checked): each process makes one per database and environment, and gives every test
    it as it was made -- its settings and extensions put back, the process-wide set-up
    create_app does (log handler, pseudonym key) done again.  A test that changed
    anything else of it (a route, a hook, a blueprint, an attribute) leaves it behind,
    and the next test gets a new one."""

    def __init__(self):
        self.made: dict = {}  # key -> (app, config, extensions, shape)

    def get(self, overrides: dict):
        from wsgi import create_app

        # the environment as settings.load reads it (pytest names the current test in it)
        environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        key = (tuple(sorted(overrides.items())), tuple(sorted(environment.items())))
        if key not in self.made:
            app = create_app(overrides)
            app.desk_test_key = key
            app.jinja_loader  # made at the first page otherwise: part of the app as it was made
            self.made.clear()  # one at a time
            self.made[key] = (app, copy.deepcopy(dict(app.config)), dict(app.extensions), _shape(app))
            return app
        app, config, extensions, _shape_then = self.made[key]
        app.config.clear()
        app.config.update(copy.deepcopy(config))
        app.extensions.clear()
        app.extensions.update(extensions)
        app._got_first_request = False  # a test may add its own route before its first request
        from desk import redact
        from desk.logs import configure_logging

        redact.configure(app.config)
        configure_logging(app.config)
        return app

    def keep_if_unchanged(self, app) -> None:
        made = self.made.get(getattr(app, "desk_test_key", None))
        if made is None or made[0] is not app:
            return
        # as a new app's engine would, the next test starts with no connection open (a
        # test may have changed the schema under a pooled connection's prepared statements)
        made[2]["db_engine"].dispose()
        if _shape(app) != made[3]:
            del self.made[app.desk_test_key]


def _shape(app) -> tuple:
    """What a test could change on an app besides its config and extensions: every
    attribute's identity, and what the hook, handler and view containers hold."""
    def ids(value):
        if isinstance(value, dict):  # Flask's defaultdicts gain empty entries as they are read
            items = ((repr(k), ids(v), isinstance(v, dict)) for k, v in value.items())
            return tuple(sorted((k, shape) for k, shape, nested in items if shape or not nested))
        if isinstance(value, (list, tuple, set)):
            return tuple(ids(v) for v in value)
        return id(value)

    skip = {"config", "extensions", "_got_first_request"}
    return (
        tuple(sorted((name, id(value)) for name, value in vars(app).items() if name not in skip)),
        ids(app.view_functions), ids(app.error_handler_spec), ids(app.before_request_funcs),
        ids(app.after_request_funcs), ids(app.teardown_request_funcs), ids(app.teardown_appcontext_funcs),
        ids(app.template_context_processors), ids(app.url_value_preprocessors), ids(app.url_default_functions),
        ids(app.url_build_error_handlers), ids(app.shell_context_processors), ids(app.blueprints),
        tuple(sorted(str(rule) + repr(sorted(rule.methods or ())) for rule in app.url_map.iter_rules())),
        # by identity only: the globals hold app.config, whose values each test gets afresh
        tuple(sorted((name, id(value)) for name, value in app.jinja_env.globals.items())),
        ids(dict(app.jinja_env.filters)), ids(dict(app.jinja_env.tests)),
    )


_APPS = _Apps()


def _empty_tables(url: str) -> None:
    """Every table but alembic's emptied, children first.  The engine, and the tables
    found at each schema revision, are kept for the process (finding them costs more
    than emptying them); no connection is kept between tests."""
    engine = _EMPTYING_ENGINES.get(url)
    if engine is None:
        engine = _EMPTYING_ENGINES[url] = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        revision = _revision(conn)
        key = (url, revision)
        if revision is None or key not in _TABLES_AT:
            names = set(inspect(conn).get_table_names()) - {"alembic_version"}
            _TABLES_AT[key] = [table for table in reversed(SQLModel.metadata.sorted_tables) if table.name in names]
        for table in _TABLES_AT[key]:
            conn.execute(table.delete())


_EMPTYING_ENGINES: dict = {}
_TABLES_AT: dict = {}


def _revision(conn) -> str | None:
    """The schema's alembic revision, or None when there is no alembic_version table
    (then the tables are looked up every time)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return ",".join(sorted(row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))))


@pytest.fixture
def clock(app):
    """The service's clock, fixed at MONDAY_10AM until a test moves it."""
    fixed = FixedClock(MONDAY_10AM)
    app.config["CLOCK"] = fixed
    return fixed


@pytest.fixture
def client(app):
    return app.test_client()


# The suite's own client calls every endpoint family, so it asks for every scope.
API_TEST_SCOPES = ["cases:write", "cases:read", "engagements:write", "surveys:read", "ratings:read",
                   "calls:read", "callbacks:read"]


@pytest.fixture
def api_token(app):
    from services.api_tokens import issue_token

    with app.app_context():
        return issue_token("case-system", scopes=API_TEST_SCOPES)


@pytest.fixture
def api(client, api_token):
    """JSON calls to /api/v1 with a valid bearer token."""

    class Api:
        headers = {"Authorization": f"Bearer {api_token}"}

        def get(self, path, **kw):
            return client.get("/api/v1" + path, headers=self.headers, **kw)

        def post(self, path, json=None, **kw):
            return client.post("/api/v1" + path, json=json, headers=self.headers, **kw)

    return Api()


@pytest.fixture
def fake_twilio(app):
    """Twilio's REST API, faked on loopback; the app's workers are pointed at it.
    Every test that uses it also proves the workers' requests match Twilio's spec."""
    from tests.emulator.rest_api import FakeTwilioAPI

    with FakeTwilioAPI(ACCOUNT_SID, AUTH_TOKEN) as api:
        app.config.update(TWILIO_API_BASE=api.base_url, TWILIO_HTTP_TIMEOUT=1.0,
                          SMS_RETRY_BASE_SECONDS=0, OUTBOX_SWEEP_GRACE_SECONDS=0)
        yield api
        assert api.contract_violations == [], "requests off Twilio's published spec"


@pytest.fixture
def run_workers(app):
    """Run real RQ workers (in this process) until every queue is empty."""
    from tests.support.burst import BurstWorker
    from workers.queues import all_queues

    def run(max_rounds: int = 50) -> None:
        with app.app_context():
            queues = all_queues(app.config)
            for _ in range(max_rounds):
                BurstWorker(queues, connection=queues[0].connection).work(burst=True, with_scheduler=False)
                if not any(q.count for q in queues):
                    return
            raise AssertionError("queues never drained: a job keeps re-queueing itself")

    return run


def pytest_collection_modifyitems(config, items):
    # In a parallel run, the fleet tests go one at a time on one worker (each starts
    # its own worker processes and Redis), and the browser tests share one Chromium.
    for item in items:
        for group in ("fleet", "browser"):
            if item.get_closest_marker(group):
                item.add_marker(pytest.mark.xdist_group(group))
    # The browser tests check pages, not the database under them: with PostgreSQL given
    # they run on it (what production runs) and not again on SQLite, which every other
    # database test still covers.  Without it they run on SQLite.
    if "postgresql" in BACKENDS:
        again = [item for item in items if item.get_closest_marker("browser")
                 and getattr(item, "callspec", None) and item.callspec.params.get("database_url") == "sqlite"]
        if again:
            config.hook.pytest_deselected(items=again)
            dropped = set(again)
            items[:] = [item for item in items if item not in dropped]
