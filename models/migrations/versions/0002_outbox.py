"""outbox: outbound messages and SMS recipients

Revision ID: 0002_outbox
Revises: 0001_foundation
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_outbox"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("purpose", S(length=40), nullable=False),
        sa.Column("dedupe_key", S(length=100), nullable=False),
        sa.Column("to_number", S(length=20), nullable=False),
        sa.Column("from_number", S(length=20), nullable=False),
        sa.Column("body", S(length=1600), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("note", S(length=200), nullable=True),
        sa.Column("twilio_sid", S(length=34), nullable=True),
        sa.Column("twilio_status", S(length=20), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("not_before", T(), nullable=True),
        sa.Column("next_attempt_at", T(), nullable=True),
        sa.Column("claimed_at", T(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("updated_at", T(), nullable=False),
        sa.Column("sent_at", T(), nullable=True),
        sa.Column("delivered_at", T(), nullable=True),
        sa.UniqueConstraint("purpose", "dedupe_key", name="uq_outbound_purpose_key"),
        sa.UniqueConstraint("twilio_sid"),
    )
    op.create_index("ix_outbound_messages_purpose", "outbound_messages", ["purpose"])
    op.create_index("ix_outbound_messages_to_number", "outbound_messages", ["to_number"])
    op.create_index("ix_outbound_messages_status", "outbound_messages", ["status"])
    op.create_table(
        "sms_recipients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone", S(length=20), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("invalid", sa.Boolean(), nullable=False),
        sa.Column("source", S(length=40), nullable=True),
        sa.Column("changed_at", T(), nullable=False),
    )
    op.create_index("ix_sms_recipients_phone", "sms_recipients", ["phone"], unique=True)


def downgrade() -> None:
    op.drop_table("sms_recipients")
    op.drop_table("outbound_messages")
