"""masked copies of the case title and description for search; delivery errors without answers

``cases`` gains ``masked_title`` and ``masked_description``: the title and description as the
case list shows them (``domain.privacy.scrub_text``). The ``q`` filter of readers who may not
reveal personal data searches these copies, so hidden digits cannot be found by guessing them
one query at a time. Existing cases are filled in from their clear columns, 500 at a time; the
projection writes both columns from then on.

Delivery attempts recorded before kept part of what the receiver answered in ``error`` (shown to
mediators and leaders in ``GET /v1/alerts/{id}``): it is replaced by the status alone, as the
notifier now writes it.

Revision ID: 0016
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from domain.people.privacy import scrub_text

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("masked_title", sa.String(200), nullable=True))
        batch.add_column(sa.Column("masked_description", sa.Text(), nullable=True))
    connection = op.get_bind()
    cases = sa.table(
        "cases",
        sa.column("case_id", sa.String),
        sa.column("title", sa.String),
        sa.column("description", sa.Text),
        sa.column("masked_title", sa.String),
        sa.column("masked_description", sa.Text),
    )
    update = (
        cases.update()
        .where(cases.c.case_id == sa.bindparam("key"))
        .values(masked_title=sa.bindparam("title_m"), masked_description=sa.bindparam("desc_m"))
    )
    after = ""
    while True:
        rows = connection.execute(
            sa.select(cases.c.case_id, cases.c.title, cases.c.description)
            .where(cases.c.case_id > after)
            .order_by(cases.c.case_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            update,
            [
                {
                    "key": row.case_id,
                    "title_m": scrub_text(row.title),
                    "desc_m": scrub_text(row.description),
                }
                for row in rows
            ],
        )
        after = rows[-1].case_id
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
