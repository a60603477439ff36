"""The leaders' registers (not tied to one case): 领导接访 logs and the cases registered from
them, 约谈/通报 records, and the 重点人员 register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.table_base import Base, JsonDocument


class ReceptionRow(Base):
    """领导接访: one reception (leader, day, place, receiving organisation, visitors).

    Visitors are kept as entered (their numbers clear, like a case's parties); every way out
    masks them."""

    __tablename__ = "leader_receptions"

    reception_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    leader_user_id: Mapped[str] = mapped_column(String(64))
    leader_name: Mapped[str] = mapped_column(String(100))
    leader_title: Mapped[str] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    org_id: Mapped[str] = mapped_column(String(64))
    org_name: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    visitors: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_leader_receptions_area_day", "jurisdiction_code", "received_on"),
        Index("ix_leader_receptions_leader", "leader_user_id", "received_on"),
    )


class ReceptionCaseRow(Base):
    """A case registered from a reception (the case records the reception too)."""

    __tablename__ = "reception_cases"

    reception_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
