"""The agenda's table (调解日程), beside the case's other side tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.tables import Base


class SessionAgendaRow(Base):
    """调解日程: one session booked on a case (调解会排期), with what an agenda shows, so the
    mediator's and the organisation's agenda read this table alone. Rewritten with the case."""

    __tablename__ = "session_agenda"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    schedule_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str | None] = mapped_column(String(64))  # the case's holder
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    # ``|王芳|赵强|`` and ``|m-1|m-2|``: a mediator matches as ``LIKE '%|王芳|%'``.
    mediators: Mapped[str] = mapped_column(String(1000))
    mediator_ids: Mapped[str | None] = mapped_column(String(1000))
    parties: Mapped[int] = mapped_column(Integer)  # how many parties are asked to attend
    postponed: Mapped[int] = mapped_column(Integer)  # how many times it was moved
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))

    __table_args__ = (
        Index("ix_session_agenda_org_starts", "org_id", "starts_at"),
        Index("ix_session_agenda_starts", "starts_at"),
    )
