"""cases.reference_key, cases.vawg: a case is its full crime reference; VAWG cases

A case was found by the digits of its reference alone, so "CAD 9999/26" and
"CRIS 9999/26" were one case.  reference_key (the reference upper-case, runs of spaces
as one, none around a slash) is now the unique identity; reference_digits stays as a
non-unique index for the keypad.  Existing rows get their key from crime_reference;
anonymised rows (reference "anonymised", digits "anon:<id>") take their digits, which
are unique.  Should two rows still share a key, the older keeps it and each later one
gets "<key>#<id>", so the upgrade never fails and never merges cases.

cases.vawg: the case system marks violence against women and girls; existing cases
are not VAWG until it says so.

Revision ID: 0550_case_reference_key
Revises: 0540_phone_identity
"""
import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0550_case_reference_key"
down_revision = "0540_phone_identity"
branch_labels = None
depends_on = None

ANON_PREFIX = "anon:"  # services/retention.py


def _key(reference: str) -> str:
    # models.cases.reference_key as of this revision (a migration must not change later)
    folded = re.sub(r"\s+", " ", (reference or "").strip().upper())
    return re.sub(r" ?/ ?", "/", folded)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("reference_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("vawg", sa.Boolean(), nullable=False, server_default=sa.false()))

    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("crime_reference", sa.String),
                     sa.column("reference_digits", sa.String), sa.column("reference_key", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(cases.c.id, cases.c.crime_reference, cases.c.reference_digits)
                        .order_by(cases.c.id)).all()
    taken: set[str] = set()
    for row in rows:
        digits = row.reference_digits or ""
        key = digits if digits.startswith(ANON_PREFIX) else _key(row.crime_reference)
        if key in taken:
            key = f"{key}#{row.id}"[-64:]
        taken.add(key)
        bind.execute(cases.update().where(cases.c.id == row.id).values(reference_key=key))

    with op.batch_alter_table("cases") as batch_op:
        batch_op.alter_column("reference_key", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=False)
        batch_op.create_index(batch_op.f("ix_cases_reference_key"), ["reference_key"], unique=True)
        batch_op.drop_index("ix_cases_reference_digits")
        batch_op.create_index(batch_op.f("ix_cases_reference_digits"), ["reference_digits"], unique=False)


def downgrade() -> None:
    # Fails, by design, while two cases share the digits of their references: merging
    # two victims' cases is not something a downgrade may do silently.
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_reference_digits")
        batch_op.create_index(batch_op.f("ix_cases_reference_digits"), ["reference_digits"], unique=True)
        batch_op.drop_index(batch_op.f("ix_cases_reference_key"))
        batch_op.drop_column("vawg")
        batch_op.drop_column("reference_key")
