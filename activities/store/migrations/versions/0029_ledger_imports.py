"""台账导入: ``ledger_imports`` (one per imported file and organisation) and ``ledger_import_rows``
(each row's outcome, keyed by import and row number, so a resumed import skips what is done and
the rejected rows can be handed back as a workbook).

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_imports",
        sa.Column("import_id", sa.String(64), primary_key=True),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("center_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_ledger_imports_center_id", "ledger_imports", ["center_id"])
    op.create_table(
        "ledger_import_rows",
        sa.Column("import_id", sa.String(64), primary_key=True),
        sa.Column("row_no", sa.Integer(), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("ledger_import_rows")
    op.drop_index("ix_ledger_imports_center_id", "ledger_imports")
    op.drop_table("ledger_imports")
