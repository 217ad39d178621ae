"""sms: engagements, rating surveys, handled inbound messages

Revision ID: 0200_sms
Revises: 0001_foundation
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0200_sms"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_key", S(length=100), nullable=True),
        sa.Column("officer_id", S(length=50), nullable=False),
        sa.Column("officer_name", S(length=60), nullable=False),
        sa.Column("borough", S(length=100), nullable=False),
        sa.Column("victim_phone", S(length=20), nullable=False),
        sa.Column("crime_reference", S(length=64), nullable=True),
        sa.Column("occurred_at", T(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.UniqueConstraint("client_key"),
        sa.UniqueConstraint("officer_id", "victim_phone", "occurred_at",
                            name="uq_engagement_officer_phone_time"),
    )
    with op.batch_alter_table("engagements") as batch:
        batch.create_index("ix_engagements_officer_id", ["officer_id"])
        batch.create_index("ix_engagements_borough", ["borough"])
        batch.create_index("ix_engagements_occurred_at", ["occurred_at"])

    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("engagement_id", sa.Integer(), sa.ForeignKey("engagements.id"), nullable=False),
        sa.Column("phone", S(length=20), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("invitation", S(length=20), nullable=False),
        sa.Column("suppressed_reason", S(length=40), nullable=True),
        sa.Column("reprompted", sa.Boolean(), nullable=False),
        sa.Column("invited_at", T(), nullable=True),
        sa.Column("expires_at", T(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", T(), nullable=True),
        sa.Column("rated_via", S(length=10), nullable=True),
        sa.Column("comment", S(length=1000), nullable=True),
        sa.Column("comment_at", T(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("updated_at", T(), nullable=False),
    )
    with op.batch_alter_table("surveys") as batch:
        batch.create_index("ix_surveys_engagement_id", ["engagement_id"], unique=True)
        batch.create_index("ix_surveys_phone", ["phone"])
        batch.create_index("ix_surveys_status", ["status"])
        batch.create_index("ix_surveys_invited_at", ["invited_at"])

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_sid", S(length=34), nullable=False),
        sa.Column("idempotency_token", S(length=100), nullable=True),
        sa.Column("from_pseudonym", S(length=20), nullable=False),
        sa.Column("action", S(length=30), nullable=True),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("reply", S(length=1600), nullable=True),
        sa.Column("received_at", T(), nullable=False),
        sa.UniqueConstraint("message_sid"),
        sa.UniqueConstraint("idempotency_token"),
    )
    with op.batch_alter_table("inbound_messages") as batch:
        batch.create_index("ix_inbound_messages_survey_id", ["survey_id"])


def downgrade() -> None:
    op.drop_table("inbound_messages")
    op.drop_table("surveys")
    op.drop_table("engagements")
