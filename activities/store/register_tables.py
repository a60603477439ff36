"""The leaders' registers (not tied to one case): 领导接访 logs and the cases registered from
them, 约谈/通报 records (append-only), and the 重点人员 register."""

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


class AccountabilityRow(Base):
    """约谈 / 通报: append-only (the database refuses UPDATE and DELETE); a correction is a new
    row naming the row it corrects."""

    __tablename__ = "accountability_records"

    record_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[str] = mapped_column(String(64))
    org_name: Mapped[str] = mapped_column(String(200))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    person_name: Mapped[str | None] = mapped_column(String(100))
    person_user_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(32))
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    held_on: Mapped[date] = mapped_column(Date)
    facts: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text)
    corrects: Mapped[str | None] = mapped_column(String(32))
    by_user_id: Mapped[str] = mapped_column(String(64))
    by_name: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_accountability_area_day", "jurisdiction_code", "held_on"),
        Index("ix_accountability_case", "case_id"),
    )


class WatchedPersonRow(Base):
    """重点人员: one person, found by the keyed hash of their ID number (never kept in clear;
    the masked number for display), their cases by the same-party key of ``case_parties``."""

    __tablename__ = "watched_persons"

    watched_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lookup_key: Mapped[str] = mapped_column(String(64), unique=True)
    party_key: Mapped[str] = mapped_column(String(64), index=True)
    id_masked: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    person_type: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(12), index=True)
    minder_user_id: Mapped[str] = mapped_column(String(64))
    minder_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
