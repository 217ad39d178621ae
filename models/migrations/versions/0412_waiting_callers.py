"""calls: a partial index of the callers waiting now (the wallboard, routing)

A plain index on waiting_since holds a million NULLs and a handful of values; after
ANALYZE, SQLite's planner judges it useless and scans every call.  A partial index
holds only the waiting callers, so it is tiny and always chosen.

Revision ID: 0412_waiting_callers
Revises: 0410_reports
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0412_waiting_callers"
down_revision = "0410_reports"
branch_labels = None
depends_on = None

WAITING = sa.text("waiting_since IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_calls_waiting_since", table_name="calls")
    op.create_index("ix_calls_waiting_since", "calls", ["waiting_since"],
                    sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade() -> None:
    op.drop_index("ix_calls_waiting_since", table_name="calls")
    op.create_index("ix_calls_waiting_since", "calls", ["waiting_since"])
