"""agents: desk agents and the offers (calls) routing made to them

Revision ID: 0110_agents
Revises: 0001_foundation
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0110_agents"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", S(length=100), nullable=False),
        sa.Column("phone", S(length=20), nullable=True),
        sa.Column("client_identity", S(length=100), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("state", S(length=10), nullable=False),
        sa.Column("state_changed_at", T(), nullable=False),
        sa.Column("missed_in_a_row", sa.Integer(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("agents") as batch_op:
        batch_op.create_index(batch_op.f("ix_agents_state"), ["state"], unique=False)

    op.create_table(
        "agent_offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("kind", S(length=10), nullable=False),
        sa.Column("status", S(length=10), nullable=False),
        sa.Column("agent_call_sid", S(length=34), nullable=True),
        sa.Column("caller_call_sid", S(length=34), nullable=True),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("callback_attempt_id", sa.Integer(), nullable=True),
        sa.Column("outcome", S(length=40), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("answered_at", T(), nullable=True),
        sa.Column("ended_at", T(), nullable=True),
        sa.UniqueConstraint("agent_call_sid"),
    )
    with op.batch_alter_table("agent_offers") as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_offers_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_offers_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_offers_caller_call_sid"), ["caller_call_sid"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_offers_callback_id"), ["callback_id"], unique=False)


def downgrade() -> None:
    op.drop_table("agent_offers")
    op.drop_table("agents")
