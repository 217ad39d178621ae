"""inbox_messages: the desk inbox of what victims text

Every inbound text the conversation does not consume (free text, a comment outside a
survey, anything after a survey closed, the second unclear rating reply) is kept for
an agent: the body, the number (E.164, to reply), the cases registered to it, whether
it holds words of distress, and where the desk is with it (new, assigned, done).

Revision ID: 0620_desk_inbox
Revises: 0600_announcements
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0620_desk_inbox"
down_revision = "0600_announcements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_sid"),
    )
    op.create_index("ix_inbox_messages_phone", "inbox_messages", ["phone"])
    op.create_index("ix_inbox_messages_received_at", "inbox_messages", ["received_at"])
    op.create_index("ix_inbox_messages_assigned_to", "inbox_messages", ["assigned_to"])
    op.create_index("ix_inbox_status_received", "inbox_messages", ["status", "received_at"])


def downgrade() -> None:
    op.drop_table("inbox_messages")
