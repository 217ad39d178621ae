"""calls: the step token the call's next webhook must carry (replay protection)

Revision ID: 0512_step_token
Revises: 0511_session_version
"""
import sqlalchemy as sa
from alembic import op

revision = "0512_step_token"
down_revision = "0511_session_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        batch_op.add_column(sa.Column("step_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_column("step_token")
