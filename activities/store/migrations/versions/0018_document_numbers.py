"""文书 numbering: each organisation's 文号 series per year, and the document holding each number

``document_series`` holds the last number issued per organisation and year (the row an issue
locks); ``document_numbers`` binds each number to one document of one case, unique per
organisation, year and number, so a number is never given twice and a document keeps its own.

Revision ID: 0018
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_series",
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    op.create_table(
        "document_numbers",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("document_key", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_name", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("org_id", "year", "seq", name="uq_document_numbers_seq"),
    )


def downgrade() -> None:
    op.drop_table("document_numbers")
    op.drop_table("document_series")
