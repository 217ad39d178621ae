"""My Met Service: email as a channel, journey stages, the Victim Voice Forum

cases: email_allowed (existing cases: false).
engagements: stage (report, visit, ...; existing rows were visits), victim_email,
channel_preference (sms | email), email_safe, language (en | pl).
surveys: channel of the invitation (existing rows were texts), equality_answered,
forum_answered.
outbound_messages: channel (existing rows are texts), to_email, subject.
email_recipients: email addresses that unsubscribed.
forum_consents: victims who asked to hear about the Victim Voice Forum.
equality_responses: counts of the web survey's optional equality answers, apart from any survey.

Revision ID: 0650_my_met_service
Revises: 0610_case_language
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0650_my_met_service"
down_revision = "0610_case_language"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("email_allowed", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("engagements") as batch_op:
        batch_op.add_column(sa.Column("stage", S(length=30), nullable=False, server_default="visit"))
        batch_op.add_column(sa.Column("victim_email", S(length=254), nullable=True))
        batch_op.add_column(sa.Column("channel_preference", S(length=10), nullable=False, server_default="sms"))
        batch_op.add_column(sa.Column("email_safe", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("language", S(length=5), nullable=False, server_default="en"))
        batch_op.create_index(batch_op.f("ix_engagements_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagements_victim_email"), ["victim_email"], unique=False)
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.add_column(sa.Column("channel", S(length=10), nullable=True))
        batch_op.add_column(sa.Column("equality_answered", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("forum_answered", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE surveys SET channel = 'sms' WHERE invitation = 'scheduled'")
    with op.batch_alter_table("outbound_messages") as batch_op:
        batch_op.add_column(sa.Column("channel", S(length=10), nullable=False, server_default="sms"))
        batch_op.add_column(sa.Column("to_email", S(length=254), nullable=True))
        batch_op.add_column(sa.Column("subject", S(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbound_messages_to_email"), ["to_email"], unique=False)
    op.create_table(
        "email_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", S(length=254), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("source", S(length=40), nullable=True),
        sa.Column("changed_at", T(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_email_recipients_email"), "email_recipients", ["email"], unique=True)
    op.create_table(
        "forum_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("channel", S(length=10), nullable=False),
        sa.Column("phone", S(length=20), nullable=True),
        sa.Column("email", S(length=254), nullable=True),
        sa.Column("borough", S(length=100), nullable=False),
        sa.Column("consented_at", T(), nullable=False),
        sa.Column("withdrawn_at", T(), nullable=True),
        sa.Column("withdrawn_via", S(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_forum_consents_survey_id"), "forum_consents", ["survey_id"], unique=True)
    op.create_index(op.f("ix_forum_consents_consented_at"), "forum_consents", ["consented_at"], unique=False)
    op.create_index(op.f("ix_forum_consents_withdrawn_at"), "forum_consents", ["withdrawn_at"], unique=False)
    op.create_table(
        "equality_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", S(length=7), nullable=False),
        sa.Column("borough", S(length=100), nullable=False),
        sa.Column("stage", S(length=30), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("age_band", S(length=20), nullable=False),
        sa.Column("ethnicity", S(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "borough", "stage", "rating", "age_band", "ethnicity", name="uq_equality_cell"),
    )
    op.create_index(op.f("ix_equality_responses_month"), "equality_responses", ["month"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_equality_responses_month"), table_name="equality_responses")
    op.drop_table("equality_responses")
    op.drop_index(op.f("ix_forum_consents_withdrawn_at"), table_name="forum_consents")
    op.drop_index(op.f("ix_forum_consents_consented_at"), table_name="forum_consents")
    op.drop_index(op.f("ix_forum_consents_survey_id"), table_name="forum_consents")
    op.drop_table("forum_consents")
    op.drop_index(op.f("ix_email_recipients_email"), table_name="email_recipients")
    op.drop_table("email_recipients")
    with op.batch_alter_table("outbound_messages") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_messages_to_email"))
        batch_op.drop_column("subject")
        batch_op.drop_column("to_email")
        batch_op.drop_column("channel")
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.drop_column("forum_answered")
        batch_op.drop_column("equality_answered")
        batch_op.drop_column("channel")
    with op.batch_alter_table("engagements") as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_victim_email"))
        batch_op.drop_index(batch_op.f("ix_engagements_stage"))
        batch_op.drop_column("language")
        batch_op.drop_column("email_safe")
        batch_op.drop_column("channel_preference")
        batch_op.drop_column("victim_email")
        batch_op.drop_column("stage")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("email_allowed")
