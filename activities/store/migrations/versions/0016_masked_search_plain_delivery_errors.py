"""masked copies of the case title and description for search; delivery errors without answers

``cases`` gains ``masked_title`` and ``masked_description``: the title and description as the
case list shows them (``domain.privacy.scrub_text``). The ``q`` filter of readers who may not
reveal personal data searches these copies, so hidden digits cannot be found by guessing them
one query at a time. Existing cases get both columns from ``fengqiao migrate`` once the schema
is at head (``activities.store.read_model_rebuild``, revision 0030); the projection writes them
from then on.

Delivery attempts recorded before kept part of what the receiver answered in ``error`` (shown to
mediators and leaders in ``GET /v1/alerts/{id}``): it is replaced by the status alone, as the
notifier now writes it.

Revision ID: 0016
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("masked_title", sa.String(200), nullable=True))
        batch.add_column(sa.Column("masked_description", sa.Text(), nullable=True))
    op.execute(
        "UPDATE alert_deliveries SET error = '投递失败，接收方答复 HTTP ' "
        "|| CAST(status_code AS VARCHAR(8)) WHERE error IS NOT NULL AND status_code IS NOT NULL"
    )
    op.execute(
        "UPDATE alert_deliveries SET error = '投递失败（早期记录，接收方答复已移除）' "
        "WHERE error IS NOT NULL AND status_code IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("masked_description")
        batch.drop_column("masked_title")
