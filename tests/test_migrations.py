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
