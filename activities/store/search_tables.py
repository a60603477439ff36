"""检索索引: the postings of the search box on PostgreSQL (migration 0023).

One row per case and index term (``domain.case.search_index.postings``), with the case's
registration and jurisdiction: the primary key ``(term, registered_at, case_id)`` gives each
term's cases newest first, and a jurisdiction subtree is checked from the index alone. The
projection rewrites a case's rows with the case (same transaction); SQLite (one office) scans
``cases.search_terms`` instead and leaves this table empty.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.table_base import Base


class CaseSearchTermRow(Base):
    """A posting: ``case_id`` holds ``term`` (field prefix and token, ``t_鱼塘``)."""

    __tablename__ = "case_search_terms"

    term: Mapped[str] = mapped_column(String())
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    case_id: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))

    # The only index: a term's postings newest first (read backwards), the jurisdiction beside
    # each; a case's own rows are found by its terms (the projection knows the old ones).
    __table_args__ = (
        PrimaryKeyConstraint(
            "term",
            "registered_at",
            "case_id",
            name="pk_case_search_terms",
            postgresql_include=["jurisdiction_code"],
        ),
    )
