"""kpi_quarters: settled days' calls per quarter-hour, kept with kpi_days, so the
interval reports over a year read kept rows; ix_inbox_status_done: the desk inbox's
done list, newest first, without sorting every finished text.

kpi_days is emptied: a day kept before this has no quarters, and the nightly job
(workers/kpi_days.py) keeps every settled day again, with its quarters.  Until it has
run, the reports count those days live (slower, the same figures).

Revision ID: 0700_kpi_quarters
Revises: 0710_forum_by_text
"""
import sqlalchemy as sa
from alembic import op

revision = "0700_kpi_quarters"
down_revision = "0710_forum_by_text"
branch_labels = None
depends_on = None

COUNTS = ("offered", "answered", "answered_in_sl", "abandoned", "wait_sum", "wait_known", "talked", "wraps")


def upgrade() -> None:
    op.create_table(
        "kpi_quarters",
        sa.Column("service_level_seconds", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        sa.Column("talk_sum", sa.Float(), nullable=False),
        sa.Column("wrap_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("service_level_seconds", "day", "quarter"),
    )
    op.execute("DELETE FROM kpi_days")
    op.create_index("ix_inbox_status_done", "inbox_messages", ["status", "done_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_status_done", table_name="inbox_messages")
    op.drop_table("kpi_quarters")
