"""api tokens: scopes and an optional expiry

Tokens issued before scopes existed could call every endpoint; they keep every scope
here so the case system does not stop at the upgrade. Re-issue them with only the
scopes each client needs.

Revision ID: 0520_api_token_scopes
Revises: 0512_step_token
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0520_api_token_scopes"
down_revision = "0512_step_token"
branch_labels = None
depends_on = None

# The scopes as they were when this migration was written (models may change later).
EVERY_SCOPE = "callbacks:read calls:read cases:read cases:write engagements:write ratings:read surveys:read"


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=EVERY_SCOPE))
        batch_op.add_column(sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.alter_column("scopes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scopes")
