"""kpi_days: settled days' KPI sums for the supervisors' reports

Revision ID: 0413_kpi_days
Revises: 0412_waiting_callers
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0413_kpi_days"
down_revision = "0412_waiting_callers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_level_seconds", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", "service_level_seconds"),
    )


def downgrade() -> None:
    op.drop_table("kpi_days")
