"""ix_callback_requests_status_order: callbacks of one status in the order they are
worked (the caller's first queue join, then id).  The API's list and the agents'
callback list ask for one status in that order; without it the database walked
``ix_callback_requests_queue_joined_at`` from the oldest request and skipped every
finished one (196,000 rows for 50 pending ones at 2 million calls).

Revision ID: 0702_callbacks_status_order
Revises: 0701_rating_counts_stage
"""
from alembic import op

revision = "0702_callbacks_status_order"
down_revision = "0701_rating_counts_stage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_callback_requests_status_order", "callback_requests", ["status", "queue_joined_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_callback_requests_status_order", table_name="callback_requests")
