"""rating_counts gains the engagement's stage: the ratings by stage of the victim's
journey are read from the kept days and months like every other rating figure, not
counted live over every survey in range.  ix_engagements_ratings_cover gains stage, so
the days counted live still read engagements from the index alone.

The kept counts are emptied (rating_counts and rating_periods): they have no stage.
The nightly job (workers/rating_rollups.py) keeps every settled day and month again;
until then the pages count those days live, or keep up to 62 days a view.

Revision ID: 0701_rating_counts_stage
Revises: 0700_kpi_quarters
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0701_rating_counts_stage"
down_revision = "0700_kpi_quarters"
branch_labels = None
depends_on = None

COVER = ["occurred_at", "id", "borough", "officer_id", "officer_name"]


def _counts(stage: bool) -> None:
    string = sqlmodel.sql.sqltypes.AutoString
    key = ["meaning", "period", "start", "borough", "officer_id", "officer_name"] + (["stage"] if stage else [])
    op.create_table(
        "rating_counts",
        sa.Column("meaning", string(length=10), nullable=False),
        sa.Column("period", string(length=5), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("borough", string(length=100), nullable=False),
        sa.Column("officer_id", string(length=50), nullable=False),
        sa.Column("officer_name", string(length=60), nullable=False),
        *([sa.Column("stage", string(length=30), nullable=False)] if stage else []),
        *[sa.Column(f"rating_{n}", sa.Integer(), nullable=False) for n in range(1, 6)],
        sa.PrimaryKeyConstraint(*key),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    op.drop_table("rating_counts")
    op.execute("DELETE FROM rating_periods")
    _counts(stage=True)
    op.drop_index("ix_engagements_ratings_cover", table_name="engagements")
    op.create_index("ix_engagements_ratings_cover", "engagements", [*COVER, "stage"])


def downgrade() -> None:
    op.drop_index("ix_engagements_ratings_cover", table_name="engagements")
    op.create_index("ix_engagements_ratings_cover", "engagements", COVER)
    op.drop_table("rating_counts")
    op.execute("DELETE FROM rating_periods")
    _counts(stage=False)
