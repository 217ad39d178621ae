"""announcements: the phone line's message of the day, set by an admin, with an expiry

Revision ID: 0600_announcements
Revises: 0550_case_reference_key
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0600_announcements"
down_revision = "0550_case_reference_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_en", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("text_pl", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("announcements")
