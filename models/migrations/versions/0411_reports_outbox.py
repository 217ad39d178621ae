"""reports: index for the supervisors' SMS delivery KPI

Revision ID: 0411_reports_outbox
Revises: 0002_outbox
Create Date: 2026-11-23
"""
from alembic import op

revision = "0411_reports_outbox"
down_revision = "0002_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbound_messages_sent_at", "outbound_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbound_messages_sent_at", table_name="outbound_messages")
