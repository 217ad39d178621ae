"""Response rates from kept counts: ``surveys.reached_at`` (when the invitation first
reached the victim, while the survey could still be answered) and ``response_counts``
(invitations that reached the victim, and how many were answered, per contact day or
month, borough, officer, stage and channel), kept with the contact periods' rating counts.

Existing surveys take ``reached_at`` from their invitation's outbox row (a text reported
delivered: its ``delivered_at``; an email the server accepted: its ``sent_at``).  The kept
contact periods are emptied, since they have no response counts: the nightly job
(workers/rating_rollups.py) keeps every settled day and month again; until then the pages
count those days live, or keep up to 62 days a view.

Revision ID: 0720_response_counts
Revises: 0702_callbacks_status_order
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0720_response_counts"
down_revision = "0702_callbacks_status_order"
branch_labels = None
depends_on = None

REACHED = """
UPDATE surveys SET reached_at = COALESCE(m.delivered_at, m.sent_at, m.updated_at)
FROM outbound_messages m
WHERE m.dedupe_key = CAST(surveys.id AS VARCHAR) AND m.purpose IN ('survey_invite', 'survey_invite_email')
  AND ((m.channel = 'sms' AND m.status = 'delivered') OR (m.channel = 'email' AND m.status IN ('sent', 'delivered')))
"""


def upgrade() -> None:
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.add_column(sa.Column("reached_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute(REACHED)
    op.create_index("ix_surveys_reached_at", "surveys", ["reached_at"])
    string = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "response_counts",
        sa.Column("period", string(length=5), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("borough", string(length=100), nullable=False),
        sa.Column("officer_id", string(length=50), nullable=False),
        sa.Column("stage", string(length=30), nullable=False),
        sa.Column("channel", string(length=10), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", "start", "borough", "officer_id", "stage", "channel"),
        sqlite_with_rowid=False,
    )
    op.execute("DELETE FROM rating_counts WHERE meaning = 'contact'")
    op.execute("DELETE FROM rating_periods WHERE meaning = 'contact'")


def downgrade() -> None:
    op.drop_table("response_counts")
    op.drop_index("ix_surveys_reached_at", table_name="surveys")
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.drop_column("reached_at")
