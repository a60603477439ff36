"""indicator_facts: the legal dates of each case's facts, for the indicators (考核指标)

One row per case (``activities.store.indicator_tables``), written by the projection beside the
read model from ``domain.indicators.facts.case_facts``: the dates of 受理, 调解终结, 调解协议,
调解不成, 办结 (and 按期办结), the agreement falling due and performed, the latest 回访's
satisfaction, and the 越级 / 民转刑 flags, with ``first_on``/``last_on`` bounding them. A county's
figures for a month read the rows of that county with a fact on or after the month's start
(``ix_indicator_facts_place_last``; on PostgreSQL a ``varchar_pattern_ops`` twin serves the
subtree's prefix LIKE). Existing cases get their rows from ``fengqiao migrate``'s rebuild
(``READ_MODEL_VERSION`` 2, the projection's own code), not from a copy here.

``accountability_items`` holds what each case answers for (``domain.indicators.accountability``):
its breached clocks (by their last day), its alerts with when they were acknowledged (签收) and by
whom, and its 批示 with their 落实反馈, placed in a period by their day; the monthly report's
问责 section and the accountability views read a place's items of a period
(``ix_accountability_items_place_on``).

``monthly_reports`` keeps each 月报 made (a place, a month, a cut-off): the SHA-256 of its
workbook and PDF in the file store and the figures it showed.

Revision ID: 0028
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0028"
down_revision = "0026"
branch_labels = None
depends_on = None

_FACT_COLUMNS = (
    "registered_on",
    "accepted_on",
    "mediation_ended_on",
    "agreement_reached_on",
    "mediation_failed_on",
    "concluded_on",
    "concluded_on_time_on",
    "agreement_due_on",
    "agreement_performed_on",
    "rated_on",
    "satisfied_on",
    "skip_level_on",
    "civil_to_criminal_on",
)


def upgrade() -> None:
    op.create_table(
        "indicator_facts",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=True),
        sa.Column("party_key", sa.String(64), nullable=True),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Date(), nullable=True) for name in _FACT_COLUMNS),
    )
    op.create_index("ix_indicator_facts_org_id", "indicator_facts", ["org_id"])
    op.create_index("ix_indicator_facts_party_key", "indicator_facts", ["party_key"])
    op.create_index(
        "ix_indicator_facts_place_last", "indicator_facts", ["jurisdiction_code", "last_on"]
    )
    if op.get_bind().dialect.name == "postgresql":
        # Covering: a county's month is read from the index alone (no heap visits).
        covered = ", ".join(("case_id", "kind", "category", "org_id", "party_key", "first_on"))
        op.execute(
            "CREATE INDEX ix_indicator_facts_subtree ON indicator_facts "
            "(jurisdiction_code varchar_pattern_ops, last_on) "
            f"INCLUDE ({covered}, {', '.join(_FACT_COLUMNS)})"
        )
    op.create_table(
        "accountability_items",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("item_key", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=True),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
    )
    op.create_index(
        "ix_accountability_items_place_on", "accountability_items", ["jurisdiction_code", "on"]
    )
    op.create_index("ix_accountability_items_on", "accountability_items", ["on"])
    op.create_table(
        "monthly_reports",
        sa.Column("report_id", sa.String(80), primary_key=True),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("scope_name", sa.String(200), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("xlsx_sha256", sa.String(64), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("figures_sha256", sa.String(64), nullable=False),
        sa.Column("figures", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    )
    op.create_index(
        "ix_monthly_reports_place_month", "monthly_reports", ["jurisdiction_code", "month"]
    )


def downgrade() -> None:
    op.drop_table("monthly_reports")
    op.drop_table("accountability_items")
    op.drop_table("indicator_facts")
