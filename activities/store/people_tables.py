"""The people of an open case by id (我的在办), beside the case's other side tables."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.tables import Base


class CasePersonRow(Base):
    """我的在办: who works an open case, by id (``domain.case.list_columns.person_keys``):
    ``user:wangfang`` (责任人, 包案领导 chosen from the users), ``roster:xw-m-01`` (a mediator
    chosen from the roster). Rewritten with the case; an ended case has none."""

    __tablename__ = "case_people"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(80), primary_key=True)

    __table_args__ = (Index("ix_case_people_key", "person_key", "case_id"),)
