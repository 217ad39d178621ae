"""Start-up settings: embedded defaults in development, nothing assumed in production."""
import pytest

from desk.config import ConfigError, load

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
    values = {name: "x" for name in REQUIRED}
    config = load({"DESK_ENV": "production", **values, "DATABASE_URL": "postgresql+psycopg://h/db"})
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
    from desk.config import PROJECT_ROOT, SETTINGS

    readme = (PROJECT_ROOT / "README.md").read_text()
    assert [name for name in SETTINGS if f"`{name}`" not in readme] == []


def test_a_tuning_setting_from_the_environment_reaches_the_feature(clean_env, app):
    from workers import agent_settings
    from workers.outbox import setting as outbox_setting

    clean_env.setenv("SMS_RATE_PER_SECOND", "3")
    clean_env.setenv("CALLBACK_RETRY_MINUTES", "5,30")
    from wsgi import create_app

    other = create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"]})
    with other.app_context():
        assert float(outbox_setting("SMS_RATE_PER_SECOND")) == 3
        assert [gap.total_seconds() for gap in agent_settings.retry_spacing()] == [300, 1800]
    with app.app_context():  # the test app was made before the variables were set
        assert float(outbox_setting("SMS_RATE_PER_SECOND")) == 10


def test_an_empty_quiet_hours_setting_turns_quiet_hours_off(clean_env, app):
    """For SMS_QUIET_HOURS an empty value means "none"; for other settings, "the default"."""
    from desk.config import setting
    from sms.settings import quiet_hours

    clean_env.setenv("SMS_QUIET_HOURS", "")
    clean_env.setenv("SMS_RATE_PER_SECOND", "")
    from wsgi import create_app

    other = create_app({"INSTANCE_PATH": app.config["INSTANCE_PATH"], "DATABASE_URL": app.config["DATABASE_URL"]})
    with other.app_context():
        assert quiet_hours() is None
        assert setting("SMS_RATE_PER_SECOND") == "10"
    with app.app_context():
        assert quiet_hours() == "21:00-08:00"
