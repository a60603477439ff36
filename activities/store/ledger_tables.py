"""台账导入的表: each import of a ledger file, and what became of each of its rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.tables import Base


class LedgerImportRow(Base):
    """One import: the file (kept in the file store by its SHA-256), who imported it for which
    organisation, how many rows it holds and where the import stands."""

    __tablename__ = "ledger_imports"

    import_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    center_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    total_rows: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # running, finished, failed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LedgerImportLineRow(Base):
    """One row of an import, once done: registered (with its case) or rejected (with why)."""

    __tablename__ = "ledger_import_rows"

    import_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))  # registered, rejected
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
