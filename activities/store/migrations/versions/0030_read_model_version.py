"""the read model's version on each case: derived rows rebuilt by today's code after an upgrade

``cases.read_model_version``: which rules of the projection wrote the row and its side rows
(``case_organisations``, ``work_items``, ``case_parties``, the list and search columns). A
migration that adds a derived column or table no longer fills it with a copy of the projection
(or worse, with the live models, which change after it is written): it leaves the rows to
``fengqiao migrate``, which, once the schema is at head, rebuilds every case below the current
version from its stored document with the projection's own code
(``activities.store.read_model_rebuild``), resumably, a batch at a time. Existing rows start at
0 and are rebuilt once.

Revision ID: 0030
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("read_model_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("read_model_version")
