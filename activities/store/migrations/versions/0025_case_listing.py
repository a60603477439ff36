"""case lists: 挂牌督办 marks the case

``cases`` gains ``listed_until``: the 督办时限 of the case's listing in force (挂牌督办, policy
2026.6), NULL when the case is not listed (never listed, or 摘牌). No case was listed before this
revision, so nothing is backfilled; the projection writes the column from then on.

Revision ID: 0025
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("listed_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("listed_until")
