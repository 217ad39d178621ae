"""staff_users.session_version: console sessions that can be ended

Revision ID: 0511_session_version
Revises: 0510_case_safe_to_call
"""
import sqlalchemy as sa
from alembic import op

revision = "0511_session_version"
down_revision = "0510_case_safe_to_call"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions issued before this carry no version and are refused: everyone logs in once.
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.drop_column("session_version")
