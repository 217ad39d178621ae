"""surveys.forum_asked_at: when the text survey asked the Victim Voice Forum question
(asked once per victim; existing rows: never asked by text).

Revision ID: 0710_forum_by_text
Revises: 0641_calls_kpi_index_ended
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0710_forum_by_text"
down_revision = "0641_calls_kpi_index_ended"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.add_column(sa.Column("forum_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.drop_column("forum_asked_at")
