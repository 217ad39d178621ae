"""audit_log.phone_pseudonym, audit_log.case_id: whose data an entry is about

So the audit log answers "who looked at this victim?" by phone number (matched
through its keyed pseudonym, never stored as the number) or by case, even after
retention has removed the calls and cases themselves.  Older entries have neither.

Revision ID: 0640_audit_log_whose_data
Revises: 0630_wallboard_history
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0640_audit_log_whose_data"
down_revision = "0630_wallboard_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("phone_pseudonym", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_log_phone_pseudonym"), ["phone_pseudonym"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_case_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_phone_pseudonym"))
        batch_op.drop_column("case_id")
        batch_op.drop_column("phone_pseudonym")
