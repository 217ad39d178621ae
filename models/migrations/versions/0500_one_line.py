"""Join the three branches (console, outbox reports, rating rollups) into one line.

From here every migration has exactly one parent, so `db upgrade` has one head to reach.

Revision ID: 0500_one_line
"""
from __future__ import annotations

revision = "0500_one_line"
down_revision = ("0400_console", "0411_reports_outbox", "0415_rating_rollups")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
