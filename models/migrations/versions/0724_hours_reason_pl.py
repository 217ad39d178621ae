"""hours_overrides.reason_pl: the closure reason in Polish, for Polish callers (without
it they hear the English reason, read as English).

Revision ID: 0724_hours_reason_pl
Revises: 0723_outbox_sent_status
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0724_hours_reason_pl"
down_revision = "0723_outbox_sent_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hours_overrides") as batch:
        batch.add_column(sa.Column("reason_pl", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hours_overrides") as batch:
        batch.drop_column("reason_pl")
