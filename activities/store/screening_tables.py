"""排查 duties' tables: one row per unit's duty for one period, and the cases its report found."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.tables import Base


class ScreeningDutyRow(Base):
    """排查任务: written by the duty's workflow (opened, escalated, filed, missed)."""

    __tablename__ = "screening_duties"

    duty_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))  # the cadence rule, or ``sweep-<id>``
    theme: Mapped[str] = mapped_column(String(200))  # 专项排查: its theme; else empty
    period_key: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    org_id: Mapped[str] = mapped_column(String(64))
    org_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))
    escalation_level: Mapped[int] = mapped_column(Integer)
    escalated_to: Mapped[str] = mapped_column(String(200))
    zero_report: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str | None] = mapped_column(String(200))
    filed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # A unit's duties, newest first (the duties page).
        Index("ix_screening_duties_org_due", "org_id", "due_at"),
        # Compliance per period within a jurisdiction subtree (accountability, the monthly report).
        Index("ix_screening_duties_place_period", "jurisdiction_code", "ends_on"),
    )


class ScreeningReportCaseRow(Base):
    """A dispute a screening report found: the case registered through intake, linked to it."""

    __tablename__ = "screening_report_cases"

    duty_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
