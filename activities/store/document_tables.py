"""The 文号 series' tables (文书编号), beside the case's other tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.tables import Base


class DocumentSeriesRow(Base):
    """文号: the last number an organisation issued in a year (one series per organisation)."""

    __tablename__ = "document_series"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class DocumentNumberRow(Base):
    """Which document of which case holds each 文号 (a document keeps its number for life)."""

    __tablename__ = "document_numbers"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(20))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("org_id", "year", "seq", name="uq_document_numbers_seq"),)
