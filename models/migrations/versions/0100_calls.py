"""calls: the call log, its queue events, callback requests and attempts

Revision ID: 0100_calls
Revises: 0001_foundation
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0100_calls"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_sid", S(length=64), nullable=False),
        sa.Column("caller", S(length=20), nullable=True),
        sa.Column("called", S(length=20), nullable=True),
        sa.Column("direction", S(length=20), nullable=True),
        sa.Column("started_at", T(), nullable=False),
        sa.Column("ended_at", T(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("language", S(length=5), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("status_rank", sa.Integer(), nullable=False),
        sa.Column("status_sequence", sa.Integer(), nullable=False),
        sa.Column("status_at", T(), nullable=True),
        sa.Column("outcome", S(length=30), nullable=True),
        sa.Column("queue_joined_at", T(), nullable=True),
        sa.Column("waiting_since", T(), nullable=True),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("verified_case_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", T(), nullable=False),
    )
    with op.batch_alter_table("calls") as batch_op:
        batch_op.create_index("ix_calls_call_sid", ["call_sid"], unique=True)
        batch_op.create_index("ix_calls_caller", ["caller"], unique=False)
        batch_op.create_index("ix_calls_started_at", ["started_at"], unique=False)
        batch_op.create_index("ix_calls_outcome", ["outcome"], unique=False)
        batch_op.create_index("ix_calls_waiting_since", ["waiting_since"], unique=False)

    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_sid", S(length=64), nullable=False),
        sa.Column("event", S(length=20), nullable=False),
        sa.Column("at", T(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
    )
    with op.batch_alter_table("call_events") as batch_op:
        batch_op.create_index("ix_call_events_call_sid", ["call_sid"], unique=False)

    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_sid", S(length=64), nullable=True),
        sa.Column("phone", S(length=20), nullable=False),
        sa.Column("safe_to_call", sa.Boolean(), nullable=False),
        sa.Column("voicemail_allowed", sa.Boolean(), nullable=False),
        sa.Column("window_start", S(length=5), nullable=True),
        sa.Column("window_end", S(length=5), nullable=True),
        sa.Column("queue_joined_at", T(), nullable=False),
        sa.Column("requested_at", T(), nullable=False),
        sa.Column("language", S(length=5), nullable=False),
        sa.Column("verified_case_id", sa.Integer(), nullable=True),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", T(), nullable=True),
        sa.Column("last_outcome", S(length=100), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("call_sid", name="uq_callback_requests_call_sid"),
    )
    with op.batch_alter_table("callback_requests") as batch_op:
        batch_op.create_index("ix_callback_requests_phone", ["phone"], unique=False)
        batch_op.create_index("ix_callback_requests_queue_joined_at", ["queue_joined_at"], unique=False)
        batch_op.create_index("ix_callback_requests_status", ["status"], unique=False)
        batch_op.create_index("ix_callback_requests_next_attempt_at", ["next_attempt_at"], unique=False)

    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callback_requests.id"), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("started_at", T(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("agent_call_sid", S(length=64), nullable=True),
        sa.Column("victim_call_sid", S(length=64), nullable=True),
        sa.Column("outcome", S(length=50), nullable=True),
        sa.Column("ended_at", T(), nullable=True),
    )
    with op.batch_alter_table("callback_attempts") as batch_op:
        batch_op.create_index("ix_callback_attempts_callback_id", ["callback_id"], unique=False)


def downgrade() -> None:
    op.drop_table("callback_attempts")
    op.drop_table("callback_requests")
    op.drop_table("call_events")
    op.drop_table("calls")
