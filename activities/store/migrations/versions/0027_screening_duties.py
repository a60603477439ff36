"""排查 duties and the cases their reports found

``screening_duties`` holds one row per unit's screening duty for one period (cadence or 专项排查),
written by the duty's workflow: opened, escalated level by level, filed (or 零报告), missed. The
two indexes serve a unit's duties page (org, due time) and compliance per period in a
jurisdiction subtree (accountability, the monthly report). ``screening_report_cases`` links a
report to the cases registered through intake for the disputes it found. New tables only: no
existing row changes.

Revision ID: 0027
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_duties",
        sa.Column("duty_id", sa.String(32), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("theme", sa.String(200), nullable=False),
        sa.Column("period_key", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalated_to", sa.String(200), nullable=False),
        sa.Column("zero_report", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_screening_duties_org_due", "screening_duties", ["org_id", "due_at"])
    op.create_index(
        "ix_screening_duties_place_period", "screening_duties", ["jurisdiction_code", "ends_on"]
    )
    op.create_table(
        "screening_report_cases",
        sa.Column("duty_id", sa.String(32), primary_key=True),
        sa.Column("case_id", sa.String(32), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("screening_report_cases")
    op.drop_index("ix_screening_duties_place_period", "screening_duties")
    op.drop_index("ix_screening_duties_org_due", "screening_duties")
    op.drop_table("screening_duties")
