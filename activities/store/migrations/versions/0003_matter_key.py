"""cases.matter_key: find a pending petition on the same matter (重复信访)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("matter_key", sa.String(64), nullable=True))
    op.create_index("ix_cases_matter_key", "cases", ["matter_key"])


def downgrade() -> None:
    op.drop_index("ix_cases_matter_key", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("matter_key")
