"""ix_calls_kpi gains ended_at: the KPIs leave out calls whose timeline cannot have
happened (answered or left the queue after the call ended), and still read the calls
from this index alone.

Revision ID: 0641_calls_kpi_index_ended
Revises: 0640_audit_log_whose_data
"""
from alembic import op

revision = "0641_calls_kpi_index_ended"
down_revision = "0640_audit_log_whose_data"
branch_labels = None
depends_on = None

BEFORE = ["started_at", "queue_joined_at", "outcome", "wait_seconds"]


def upgrade() -> None:
    op.drop_index("ix_calls_kpi", table_name="calls")
    op.create_index("ix_calls_kpi", "calls", [*BEFORE, "ended_at"])


def downgrade() -> None:
    op.drop_index("ix_calls_kpi", table_name="calls")
    op.create_index("ix_calls_kpi", "calls", BEFORE)
