"""cases.language, cases.full_detail_by_text: the language of texts to the victim, and
whether a text may carry the case's details

language (en, pl) null: the case system did not say, so texts follow the language of
the victim's last call, else English.  Existing cases are null.
full_detail_by_text: a text shows on a lock screen, so the reference and the update
itself go in a text only when the case system says so; existing cases are false (their
texts say only that there is news).

Revision ID: 0610_case_language
Revises: 0620_desk_inbox
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0610_case_language"
down_revision = "0620_desk_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True))
        batch_op.add_column(sa.Column("full_detail_by_text", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("full_detail_by_text")
        batch_op.drop_column("language")
