"""inbound messages: room for 96-bit pseudonyms ("p_" and 24 hex digits)

Revision ID: 0505_pseudonym_width
Revises: 0500_one_line
"""
import sqlmodel
from alembic import op

revision = "0505_pseudonym_width"
down_revision = "0500_one_line"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # batch mode: SQLite cannot alter a column in place
    with op.batch_alter_table("inbound_messages") as batch:
        batch.alter_column("from_pseudonym", type_=S(length=40), existing_type=S(length=20), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.alter_column("from_pseudonym", type_=S(length=20), existing_type=S(length=40), existing_nullable=False)
