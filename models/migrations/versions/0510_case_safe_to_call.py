"""cases.safe_to_call: a case can say the victim's number must never be rung

Existing cases keep today's meaning (callable, within their safe call times).

Revision ID: 0510_case_safe_to_call
Revises: 0505_pseudonym_width
"""
import sqlalchemy as sa
from alembic import op

revision = "0510_case_safe_to_call"
down_revision = "0505_pseudonym_width"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("safe_to_call", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("safe_to_call")
