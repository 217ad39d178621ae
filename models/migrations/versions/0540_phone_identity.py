"""cases.pin_hash, calls.stir_verstat: identity on the phone

A full case update is read on the phone only after the PIN the case system set
(stored as an argon2id hash); each call keeps Twilio's STIR/SHAKEN attestation of the
caller ID when Twilio sends one.  Both columns are nullable: existing cases have no
PIN (they get the minimal update) and existing calls have no attestation.

Revision ID: 0540_phone_identity
Revises: 0520_api_token_scopes
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0540_phone_identity"
down_revision = "0520_api_token_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    with op.batch_alter_table("calls") as batch_op:
        batch_op.add_column(sa.Column("stir_verstat", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_column("stir_verstat")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("pin_hash")
