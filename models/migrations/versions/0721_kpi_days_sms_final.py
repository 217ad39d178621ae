"""kpi_days.sms_final: a day is kept once its calls are final (04:00 the next day), before
its texts' delivery reports are (up to 72 hours): until then its texts are counted live,
and the hourly kpi-days job makes the row final.  Existing rows were kept after four
days, so their texts are final.

Revision ID: 0721_kpi_days_sms_final
Revises: 0720_response_counts
"""
import sqlalchemy as sa
from alembic import op

revision = "0721_kpi_days_sms_final"
down_revision = "0720_response_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kpi_days") as batch_op:
        batch_op.add_column(sa.Column("sms_final", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    # the older code reads a kept day as wholly settled: forget the days not final yet
    op.execute("DELETE FROM kpi_quarters WHERE (day, service_level_seconds) IN "
               "(SELECT day, service_level_seconds FROM kpi_days WHERE NOT sms_final)")
    op.execute("DELETE FROM kpi_days WHERE NOT sms_final")
    with op.batch_alter_table("kpi_days") as batch_op:
        batch_op.drop_column("sms_final")
