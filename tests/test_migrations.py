"""Migrations build exactly the schema the models describe, on every backend, and an
older database upgrades cleanly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import models  # noqa: F401
from models import migrate


def test_migrated_schema_matches_the_models(app):
    with app.extensions["db_engine"].connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations disagree; add a migration: {diff}"


def test_an_empty_sqlite_database_upgrades_and_an_older_one_catches_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    migrate.upgrade(url, "0001_foundation")  # as the first release left it
    engine = create_engine(url)
    assert "outbound_messages" not in inspect(engine).get_table_names()
    migrate.upgrade(url)
    tables = set(inspect(engine).get_table_names())
    assert {"cases", "case_updates", "api_tokens", "outbound_messages"} <= tables
    assert migrate.current_heads(url) == {s.revision for s in _heads()}


def _heads():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [script.get_revision(h) for h in script.get_heads()]


def test_db_upgrade_command(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    from wsgi import create_app

    cli_app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    result = cli_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "cases" in inspect(create_engine(url)).get_table_names()


def test_the_migrations_form_one_line():
    # Every new migration goes on top of one head: two heads mean two deploys could
    # each think they are at the newest schema.
    assert len(_heads()) == 1


def test_0550_gives_existing_cases_their_reference_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    migrate.upgrade(url, "0540_phone_identity")
    engine = create_engine(url)
    with engine.begin() as conn:
        for id_, reference, digits in ((1, "cad  9999 / 26", "999926"), (2, "anonymised", "anon:2"),
                                       (3, "anonymised", "anon:3")):
            conn.exec_driver_sql(
                "INSERT INTO cases (id, crime_reference, reference_digits, victim_phone, status, sms_allowed,"
                " safe_to_call, voicemail_allowed, safe_call_times, update_detail, created_at, updated_at)"
                " VALUES (?, ?, ?, '+447911123456', 'open', 1, 1, 0, '[]', 'minimal',"
                " '2026-01-01', '2026-01-01')", (id_, reference, digits))
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, reference_key, vawg FROM cases ORDER BY id").all()
    assert [tuple(r) for r in rows] == [(1, "CAD 9999/26", 0), (2, "anon:2", 0), (3, "anon:3", 0)]


def test_0720_notes_when_each_delivered_invitation_reached_the_victim(tmp_path):
    """Existing surveys take reached_at from their invitation: a text reported delivered
    (its delivered_at), an email the server accepted (its sent_at); nothing else."""
    url = f"sqlite:///{tmp_path / 'surveys.sqlite3'}"
    migrate.upgrade(url, "0702_callbacks_status_order")
    engine = create_engine(url)
    with engine.begin() as conn:
        for n, channel, status, sent, delivered in ((1, "sms", "delivered", "2026-11-02 10:00:00.000000",
                                                     "2026-11-02 10:01:00.000000"),
                                                    (2, "sms", "sent", "2026-11-02 10:00:00.000000", None),
                                                    (3, "email", "sent", "2026-11-02 11:00:00.000000", None),
                                                    (4, "sms", "undelivered", "2026-11-02 10:00:00.000000", None)):
            conn.exec_driver_sql(
                "INSERT INTO engagements (id, officer_id, officer_name, borough, victim_phone, occurred_at, created_at,"
                " stage, channel_preference, email_safe, language)"
                " VALUES (?, ?, 'PC 1', 'Camden', '+447911123456', '2026-11-02', '2026-11-02', 'visit', ?, 0, 'en')",
                (n, f"MP{n}", channel))
            conn.exec_driver_sql(
                "INSERT INTO surveys (id, engagement_id, phone, status, invitation, channel, reprompted,"
                " equality_answered, forum_answered, created_at, updated_at)"
                " VALUES (?, ?, '+447911123456', 'awaiting_rating', 'scheduled', ?, 0, 0, 0, '2026-11-02', '2026-11-02')",
                (n, n, channel))
            conn.exec_driver_sql(
                "INSERT INTO outbound_messages (purpose, dedupe_key, channel, to_number, from_number, body, status,"
                " attempts, uncertain, created_at, updated_at, sent_at, delivered_at)"
                " VALUES (?, ?, ?, '+447911123456', '+442079460000', 'x', ?, 1, 0, '2026-11-02', '2026-11-02', ?, ?)",
                ("survey_invite" if channel == "sms" else "survey_invite_email", str(n), channel, status, sent,
                 delivered))
    migrate.upgrade(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, reached_at FROM surveys ORDER BY id").all()
    assert [(id_, (at or "")[:16]) for id_, at in rows] == [
        (1, "2026-11-02 10:01"), (2, ""), (3, "2026-11-02 11:00"), (4, "")]
