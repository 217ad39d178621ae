"""wallboard_devices, agent_state_intervals, ix_agent_offers_created_at

Wall screens an admin lets show the wallboard (only a hash of each one's secret is
kept); every stretch of time an agent spends in one state, for the supervisors'
history reports (agents' state before this revision was not kept, so their history
starts at their first change of state after it); and an index on when each offer was
made, so the wallboard reads only today's offers.

Revision ID: 0630_wallboard_history
Revises: 0650_my_met_service
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0630_wallboard_history"
down_revision = "0650_my_met_service"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallboard_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_wallboard_devices_token_hash"), "wallboard_devices", ["token_hash"], unique=True)
    op.create_table(
        "agent_state_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agent_state_intervals_agent_started", "agent_state_intervals", ["agent_id", "started_at"])
    op.create_index("ix_agent_state_intervals_started_at", "agent_state_intervals", ["started_at"])
    op.create_index("ix_agent_state_intervals_ended_at", "agent_state_intervals", ["ended_at"])
    op.create_index("ix_agent_offers_created_at", "agent_offers", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_agent_offers_created_at", table_name="agent_offers")
    op.drop_index("ix_agent_state_intervals_ended_at", table_name="agent_state_intervals")
    op.drop_index("ix_agent_state_intervals_started_at", table_name="agent_state_intervals")
    op.drop_index("ix_agent_state_intervals_agent_started", table_name="agent_state_intervals")
    op.drop_table("agent_state_intervals")
    op.drop_index(op.f("ix_wallboard_devices_token_hash"), table_name="wallboard_devices")
    op.drop_table("wallboard_devices")
