"""agent_days and agent_days_kept: each agent's day (seconds in each state, offers taken,
talked and missed) kept once the day's calls are final, so the agent activity report
reads a row per agent and day instead of every state change and offer (a month held
375,000 offers at 10 million calls a year).  Kept by the hourly kpi-days job from the
next run on; until then the report counts those days live, as before.

Revision ID: 0722_agent_days
Revises: 0721_kpi_days_sms_final
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0722_agent_days"
down_revision = "0721_kpi_days_sms_final"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        *[sa.Column(f"{state}_seconds", sa.Float(), nullable=False)
          for state in ("available", "busy", "wrap_up", "offline")],
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("talked_calls", sa.Integer(), nullable=False),
        sa.Column("talk_seconds", sa.Float(), nullable=False),
        sa.Column("missed_offers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "agent_id"),
    )
    op.create_table(
        "agent_days_kept",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kept_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("agent_days_kept")
    op.drop_table("agent_days")
