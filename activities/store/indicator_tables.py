"""indicator_facts (one row per case: its facts' legal dates) and accountability_items."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.table_base import Base, JsonDocument


class IndicatorFactRow(Base):
    """考核指标事实: what a case contributes to the indicators, rewritten with the case.

    ``first_on``/``last_on`` bound its facts' dates, so a period's query reads only the cases
    with a fact in it; each fact's date has its own column (``<fact>_on``)."""

    __tablename__ = "indicator_facts"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    org_id: Mapped[str | None] = mapped_column(String(64), index=True)
    party_key: Mapped[str | None] = mapped_column(String(64), index=True)
    first_on: Mapped[date] = mapped_column(Date)
    last_on: Mapped[date] = mapped_column(Date)
    registered_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    mediation_ended_on: Mapped[date | None] = mapped_column(Date)
    agreement_reached_on: Mapped[date | None] = mapped_column(Date)
    mediation_failed_on: Mapped[date | None] = mapped_column(Date)
    concluded_on: Mapped[date | None] = mapped_column(Date)
    concluded_on_time_on: Mapped[date | None] = mapped_column(Date)
    agreement_due_on: Mapped[date | None] = mapped_column(Date)
    agreement_performed_on: Mapped[date | None] = mapped_column(Date)
    rated_on: Mapped[date | None] = mapped_column(Date)
    satisfied_on: Mapped[date | None] = mapped_column(Date)
    skip_level_on: Mapped[date | None] = mapped_column(Date)
    civil_to_criminal_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        # A county's (or town's) cases with a fact on or after a period's start.
        Index("ix_indicator_facts_place_last", "jurisdiction_code", "last_on"),
        # Covering (migration 0028): a county's month read from the index alone.
        Index(
            "ix_indicator_facts_subtree",
            "jurisdiction_code",
            "last_on",
            postgresql_ops={"jurisdiction_code": "varchar_pattern_ops"},
            postgresql_include=[
                "case_id",
                "kind",
                "category",
                "org_id",
                "party_key",
                "first_on",
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
            ],
        ).ddl_if(dialect="postgresql"),
    )


class AccountabilityItemRow(Base):
    """问责事项: a case's breaches, alerts (with their 签收) and 批示 (with their 落实反馈), each
    placed in a period by its day (``domain.indicators.accountability``)."""

    __tablename__ = "accountability_items"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    org_id: Mapped[str | None] = mapped_column(String(64))
    who: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_accountability_items_place_on", "jurisdiction_code", "on"),
        Index("ix_accountability_items_on", "on"),
    )


class MonthlyReportRow(Base):
    """月报: one kept report of a place for a month as of a cut-off, its files in the file store
    (by SHA-256) and its figures as shown; made once per (place, month, cut-off)."""

    __tablename__ = "monthly_reports"

    report_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    scope_name: Mapped[str] = mapped_column(String(200))
    month: Mapped[str] = mapped_column(String(7))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(200))
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    figures_sha256: Mapped[str] = mapped_column(String(64))
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)

    __table_args__ = (Index("ix_monthly_reports_place_month", "jurisdiction_code", "month"),)
