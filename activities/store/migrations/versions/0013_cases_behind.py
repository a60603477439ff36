"""cases_behind: cases whose events the store refused (the read model stops, an operator is told)

A projection that cannot store an event (PostgreSQL refuses a NUL, a value longer than its column)
no longer retries for ever: the case is marked here, with the last event the store holds and the
first it refused, and the workflow keeps the events until a later projection lands.

Revision ID: 0013
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases_behind",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("projected_seq", sa.Integer(), nullable=False),
        sa.Column("failed_seq", sa.Integer(), nullable=False),
        sa.Column("workflow_seq", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_cases_behind_jurisdiction_code", "cases_behind", ["jurisdiction_code"])


def downgrade() -> None:
    op.drop_index("ix_cases_behind_jurisdiction_code", table_name="cases_behind")
    op.drop_table("cases_behind")
