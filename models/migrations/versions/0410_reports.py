"""reports: indexes for the supervisors' call log, KPIs and ratings (the outbox's
is in 0411_reports_outbox, on the outbox's own branch)

Revision ID: 0410_reports
Revises: 0200_sms
Create Date: 2026-11-23
"""
from alembic import op

revision = "0410_reports"
down_revision = "0200_sms"
branch_labels = None
depends_on = ("0100_calls",)  # indexes on the call log too

INDEXES = (
    ("calls", "ix_calls_kpi", ["started_at", "queue_joined_at", "outcome", "wait_seconds"]),
    ("calls", "ix_calls_agent_started", ["agent_id", "started_at"]),
    ("calls", "ix_calls_outcome_started", ["outcome", "started_at"]),
    ("call_events", "ix_call_events_event_at", ["event", "at"]),
    ("call_events", "ix_call_events_sid_event", ["call_sid", "event", "at"]),
    ("callback_attempts", "ix_callback_attempts_started_at", ["started_at"]),
    ("surveys", "ix_surveys_rated", ["rated_at", "rating", "engagement_id"]),
    ("surveys", "ix_surveys_comment_at", ["comment_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
