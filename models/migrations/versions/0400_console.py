"""console: staff accounts, audit log, callback notes, desk-hours overrides

Revision ID: 0400_console
Revises: 0110_agents, 0100_calls
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0400_console"
# merges the agents and calls branches: staff_users refers to agents, callback_notes
# to callback_requests
down_revision = ("0110_agents", "0100_calls")
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", S(length=254), nullable=False),
        sa.Column("role", S(length=20), nullable=False),
        sa.Column("password_hash", S(length=200), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", T(), nullable=True),
        sa.Column("last_login_at", T(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
    )
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_users_email"), ["email"], unique=True)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", T(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_email", S(length=254), nullable=False),
        sa.Column("action", S(length=50), nullable=False),
        sa.Column("subject", S(length=100), nullable=False),
        sa.Column("why", S(length=500), nullable=True),
    )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_subject"), ["subject"], unique=False)

    op.create_table(
        "callback_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callback_requests.id"), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=True),
        sa.Column("outcome", S(length=30), nullable=False),
        sa.Column("note", S(length=2000), nullable=False),
        sa.Column("at", T(), nullable=False),
    )
    with op.batch_alter_table("callback_notes") as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_notes_callback_id"), ["callback_id"], unique=False)

    op.create_table(
        "hours_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", S(length=10), nullable=False),
        sa.Column("hours", S(length=20), nullable=False),
        sa.Column("reason", S(length=200), nullable=True),
        sa.Column("updated_by", S(length=254), nullable=True),
        sa.Column("updated_at", T(), nullable=False),
        sa.UniqueConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("hours_overrides")
    op.drop_table("callback_notes")
    op.drop_table("audit_log")
    op.drop_table("staff_users")
