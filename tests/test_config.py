"""Start-up settings: embedded defaults in development, nothing assumed in production."""
import pytest

from desk.settings import ConfigError, load

REQUIRED = ["DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
            "TWILIO_PHONE_NUMBER", "PUBLIC_BASE_URL", "SECRET_KEY", "LOG_HASH_KEY"]


@pytest.fixture
def clean_env(monkeypatch):
    for name in REQUIRED + ["DESK_ENV"]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_start_up_names_every_missing_setting_at_once(clean_env):
    clean_env.setenv("DESK_ENV", "production")
    clean_env.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    with pytest.raises(ConfigError) as error:
        load()
    message = str(error.value)
    assert all(name in message for name in REQUIRED if name != "TWILIO_ACCOUNT_SID")
    assert "TWILIO_ACCOUNT_SID" not in message


def test_production_starts_when_everything_is_given(clean_env):
    values = {"DATABASE_URL": "postgresql+psycopg://h/db", "REDIS_URL": "redis://redis:6379/0",
              "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "x" * 32,
              "TWILIO_PHONE_NUMBER": "+442079460000", "PUBLIC_BASE_URL": "https://desk.example.org",
              "SECRET_KEY": "s" * 32, "LOG_HASH_KEY": "l" * 32}
    config = load({"DESK_ENV": "production", **values})
    assert config["DATABASE_URL"] == "postgresql+psycopg://h/db"


def test_development_runs_on_embedded_defaults(clean_env, tmp_path):
    config = load({"INSTANCE_PATH": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    assert config["REDIS_URL"] is None  # embedded Redis
    assert config["TWILIO_API_BASE"] == "https://api.twilio.com"


def test_environment_and_overrides_use_the_same_names(clean_env, tmp_path):
    clean_env.setenv("TWILIO_PHONE_NUMBER", "+442079460001")
    assert load()["TWILIO_PHONE_NUMBER"] == "+442079460001"
    assert load({"TWILIO_PHONE_NUMBER": "+442079460002"})["TWILIO_PHONE_NUMBER"] == "+442079460002"


def test_the_embedded_redis_is_a_real_redis_shared_by_connections(tmp_path):
    from desk.redis_conn import connect

    config = {"REDIS_URL": None, "INSTANCE_PATH": str(tmp_path)}
    connect(config).set("k", "v")
    import redis

    other = redis.Redis(unix_socket_path=connect(config).socket_file)
    assert other.get("k") == b"v"


def test_the_readme_documents_every_setting():
    from desk.settings import PROJECT_ROOT, documented

    readme = (PROJECT_ROOT / "README.md").read_text()
    assert [name for name, _default, _doc in documented() if f"`{name}`" not in readme] == []


def test_a_tuning_setting_from_the_environment_reaches_the_feature(clean_env, app):
    from datetime import timedelta

    from desk import settings

    clean_env.setenv("SMS_RATE_PER_SECOND", "3")
    clean_env.setenv("CALLBACK_RETRY_MINUTES", "5,30")
    from wsgi import create_app

    other = create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"]})
    with other.app_context():
        assert settings.current()["SMS_RATE_PER_SECOND"] == 3
        assert [timedelta(minutes=m).total_seconds() for m in settings.current()["CALLBACK_RETRY_MINUTES"]] == [300, 1800]
    with app.app_context():  # the test app was made before the variables were set
        assert settings.current()["SMS_RATE_PER_SECOND"] == 10


def test_an_empty_quiet_hours_setting_turns_quiet_hours_off(clean_env, app):
    """For SMS_QUIET_HOURS an empty value means "none"; for other settings, "the default"."""
    from desk import settings

    clean_env.setenv("SMS_QUIET_HOURS", "")
    clean_env.setenv("SMS_RATE_PER_SECOND", "")
    from wsgi import create_app

    other = create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"]})
    with other.app_context():
        assert settings.current()["SMS_QUIET_HOURS"] is None
        assert settings.current()["SMS_RATE_PER_SECOND"] == 10
    with app.app_context():
        assert settings.current()["SMS_QUIET_HOURS"] == "21:00-08:00"


@pytest.mark.parametrize("name, value", [
    ("IVR_QUEUE_MAX_SIZE", "ten"), ("IVR_QUEUE_MAX_WAIT_SECONDS", "-5"), ("SMS_QUIET_HOURS", "9pm-8am"),
    ("CALLBACK_RETRY_MINUTES", "soon"), ("IVR_HOURS_OVERRIDES", '{"2026-13-45": "closed"}'),
    ("IVR_HOURS_OVERRIDES", '{"2026-12-24": "morning"}'), ("TWILIO_PHONE_NUMBER", "notanumber"),
    ("PUBLIC_BASE_URL", "notaurl"), ("CONSOLE_COOKIE_SECURE", "maybe"), ("DESK_ENV", "prod"),
    ("DESK_ENV", "Production"), ("OUTBOX_STALE_CLAIM_SECONDS", "60"), ("FALLBACK_PHONE_NUMBER", "999"),
    ("DESK_HOURS_WEEKDAYS", "closed"), ("DESK_HOURS_WEEKDAYS", "8am-8pm"), ("DESK_HOURS_WEEKDAYS", "20:00-08:00"),
    ("DESK_HOURS_WEEKENDS", "shut"), ("DESK_HOURS_WEEKENDS", "08:00-25:00"), ("DESK_HOURS_BANK_HOLIDAYS", "9-17"),
    # URLs the service would only find wrong at the first call that needs them
    ("DATABASE_URL", "postgres://desk@db.internal/desk"), ("DATABASE_URL", "mysql://desk@db.internal/desk"),
    ("DATABASE_URL", "postgresql+asyncpg://desk@db.internal/desk"), ("DATABASE_URL", "db.internal/desk"),
    ("REDIS_URL", "redis.internal:6379"), ("REDIS_URL", "http://redis.internal:6379"),
    ("PUBLIC_BASE_URL", "https://desk.example.org/desk"), ("PUBLIC_BASE_URL", "https://desk.example.org/?x=1"),
])
def test_a_bad_setting_stops_start_up_naming_it(clean_env, tmp_path, name, value):
    """An operator's typo must stop the service at once, not send every caller to the
    fallback at the first webhook that reads it."""
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load({"INSTANCE_PATH": str(tmp_path)})
    assert name in str(error.value) and repr(value) in str(error.value)


def test_a_start_up_error_never_shows_a_secret_or_a_password(clean_env, tmp_path):
    """The message goes to logs and terminals: it names the setting, and hides a secret's
    value and a URL's password."""
    with pytest.raises(ConfigError) as error:
        load({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgres://desk:Pa55-w0rd-9@db.internal/desk",
              "REDIS_URL": "rediss://:r3dis-Secret@redis.internal", "METRICS_TOKEN": "tok-short-7",
              "SENTRY_DSN": "not a dsn sentry-key-4"})
    message = str(error.value)
    for name in ("DATABASE_URL", "METRICS_TOKEN", "SENTRY_DSN"):
        assert name in message
    for secret in ("Pa55-w0rd-9", "tok-short-7", "sentry-key-4"):
        assert secret not in message, message
    assert "postgres://desk:***@db.internal/desk" in message
    assert "REDIS_URL" not in message, "a good URL with a password is accepted"


def test_a_bad_setting_stops_the_web_app_and_the_worker(clean_env, tmp_path):
    from workers import runtime
    from wsgi import create_app

    clean_env.setenv("IVR_QUEUE_MAX_SIZE", "ten")
    with pytest.raises(ConfigError, match="IVR_QUEUE_MAX_SIZE"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    clean_env.setattr(runtime, "_config", None)
    with pytest.raises(ConfigError, match="IVR_QUEUE_MAX_SIZE"):
        runtime.process_config()


def test_settings_arrive_typed(clean_env, tmp_path):
    clean_env.setenv("IVR_QUEUE_MAX_SIZE", "12")
    clean_env.setenv("CALLBACK_RETRY_MINUTES", "5, 30")
    clean_env.setenv("IVR_HOURS_OVERRIDES", '{"2026-12-25": "closed"}')
    config = load({"INSTANCE_PATH": str(tmp_path)})
    assert config["IVR_QUEUE_MAX_SIZE"] == 12
    assert config["CALLBACK_RETRY_MINUTES"] == (5.0, 30.0)
    assert config["IVR_HOURS_OVERRIDES"] == {"2026-12-25": "closed"}


# --- secrets: none from the repository is ever accepted ------------------------------

PRODUCTION = {"DESK_ENV": "production", "DATABASE_URL": "postgresql+psycopg://h/db", "REDIS_URL": "redis://r:6379/0",
              "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t" * 32,
              "TWILIO_PHONE_NUMBER": "+442079460000", "PUBLIC_BASE_URL": "https://desk.example.org",
              "SECRET_KEY": "s" * 32, "LOG_HASH_KEY": "l" * 32}


@pytest.mark.parametrize("changes, named", [
    ({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32}, "TWILIO_ACCOUNT_SID is the development placeholder"),
    ({"SECRET_KEY": "dev-secret-key-not-secret"}, "SECRET_KEY is a placeholder"),
    ({"TWILIO_AUTH_TOKEN": "dev-auth-token-not-secret"}, "TWILIO_AUTH_TOKEN is a placeholder"),
    ({"SECRET_KEY": "a"}, "SECRET_KEY is 1 bytes; a secret needs at least 32"),
    ({"LOG_HASH_KEY": "short"}, "LOG_HASH_KEY is 5 bytes"),
    ({"TWILIO_WEBHOOK_SHARED_KEY": "k" * 10}, "TWILIO_WEBHOOK_SHARED_KEY is 10 bytes"),
    ({"LOG_HASH_KEY": "s" * 32}, "LOG_HASH_KEY must differ from SECRET_KEY"),
    ({"PUBLIC_BASE_URL": "http://desk.example.org"}, "PUBLIC_BASE_URL='http://desk.example.org' is not https"),
])
def test_production_refuses_placeholders_short_secrets_and_plain_http(clean_env, changes, named):
    with pytest.raises(ConfigError) as error:
        load({**PRODUCTION, **changes})
    assert named in str(error.value)


def test_production_names_every_problem_at_once(clean_env):
    with pytest.raises(ConfigError) as error:
        load({**PRODUCTION, "SECRET_KEY": "a", "PUBLIC_BASE_URL": "http://x.example", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32})
    message = str(error.value)
    assert "SECRET_KEY" in message and "PUBLIC_BASE_URL" in message and "TWILIO_ACCOUNT_SID" in message


def test_development_makes_its_own_secrets_once_and_says_so(clean_env, tmp_path, caplog):
    import logging

    clean_env.delenv("SECRET_KEY", raising=False)
    caplog.set_level(logging.WARNING)
    first = load({"INSTANCE_PATH": str(tmp_path)})
    again = load({"INSTANCE_PATH": str(tmp_path)})
    elsewhere = load({"INSTANCE_PATH": str(tmp_path / "other")})
    assert len(first["SECRET_KEY"]) >= 32 and len(first["TWILIO_AUTH_TOKEN"]) >= 32
    assert (again["SECRET_KEY"], again["TWILIO_AUTH_TOKEN"]) == (first["SECRET_KEY"], first["TWILIO_AUTH_TOKEN"])
    assert elsewhere["SECRET_KEY"] != first["SECRET_KEY"], "no secret is shared between installations"
    assert "dev-secret-key-not-secret" not in (first["SECRET_KEY"], first["TWILIO_AUTH_TOKEN"])
    assert any("development secrets in use" in r.getMessage() for r in caplog.records)


def test_the_old_placeholder_secrets_open_nothing(clean_env, tmp_path, database_url):
    """A cookie forged with the placeholder key once opened the admins' token page, and a
    request signed with the placeholder token was taken as Twilio's."""
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import BadSignature
    from twilio.request_validator import RequestValidator

    from wsgi import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url,
                      "PUBLIC_BASE_URL": "https://desk.example.org"})
    forger = create_app({"INSTANCE_PATH": str(tmp_path / "forger"), "DATABASE_URL": database_url,
                         "SECRET_KEY": "dev-secret-key-not-secret"})
    cookie = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"staff_id": 1, "role": "admin"})
    with pytest.raises(BadSignature):  # the app would read it as no session at all
        SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    client = app.test_client()
    form = {"CallSid": "CA" + "1" * 32, "From": "+447911123456", "To": "+442079460000", "AccountSid": "AC" + "0" * 32}
    for path in ("/ivr/voice", "/sms/inbound"):
        url = "https://desk.example.org" + path
        signature = RequestValidator("dev-auth-token-not-secret").compute_signature(url, form)
        answer = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 403, path


def test_pseudonyms_carry_96_bits():
    from desk.redact import pseudonym

    assert len(pseudonym("+447911123456").removeprefix("p_")) * 4 >= 96
