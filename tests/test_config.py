"""Start-up settings: embedded defaults in development, nothing assumed in production."""
import pytest

from desk.settings import ConfigError, load

REQUIRED = ["DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
            "TWILIO_PHONE_NUMBER", "PUBLIC_BASE_URL", "SECRET_KEY"]


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
              "SECRET_KEY": "s" * 32}
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
])
def test_a_bad_setting_stops_start_up_naming_it(clean_env, tmp_path, name, value):
    """An operator's typo must stop the service at once, not send every caller to the
    fallback at the first webhook that reads it."""
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load({"INSTANCE_PATH": str(tmp_path)})
    assert name in str(error.value) and repr(value) in str(error.value)


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
