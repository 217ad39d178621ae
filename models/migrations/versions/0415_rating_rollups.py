"""rating_periods, rating_counts: settled days' and months' rating counts

The ratings summary (by contact date) and the console's ratings page (by rating date)
read kept days and months instead of aggregating every rating in range; see
console/supervisor/reports/rating_rollups.py.

Revision ID: 0415_rating_rollups
Revises: 0414_ratings_cover
Create Date: 2026-12-04
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0415_rating_rollups"
down_revision = "0414_ratings_cover"
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:
    return [sa.Column("meaning", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
            sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
            sa.Column("start", sa.Date(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "rating_periods",
        *_key(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kept_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("not_before", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("counted_to", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ratings", sa.Integer(), nullable=True),
        sa.Column("rating_sum", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("meaning", "period", "start"),
    )
    op.create_table(
        "rating_counts",
        *_key(),
        sa.Column("borough", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("officer_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("officer_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        *[sa.Column(f"rating_{n}", sa.Integer(), nullable=False) for n in range(1, 6)],
        sa.PrimaryKeyConstraint("meaning", "period", "start", "borough", "officer_id", "officer_name"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("rating_counts")
    op.drop_table("rating_periods")
