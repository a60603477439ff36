"""案件检索: the ``q`` filter of the case list, which never rebuilds masked personal data.

Readers who may not reveal personal data search the title and description as they are shown
to them, masked (``cases.masked_title`` and ``cases.masked_description``, written by the
projection): a phone shown as ``138****5678`` is found by ``138`` or ``5678``, never by a guess
at the hidden digits, so no sequence of queries tells more than the mask shows. Readers who may
reveal it search the clear text; which of their hits matched only on personal data (the clear
text matches, its masked copy does not) is asked here so the service can record each one in the
access trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.sql import like_escape
from activities.store.tables import CaseRow


def _pattern(text: str) -> str:
    return f"%{like_escape(text)}%"


def text_condition(text: str, *, in_clear: bool) -> Any:
    """Title or description contains ``text`` (case-insensitive): clear or masked copies."""
    pattern = _pattern(text)
    title, description = (
        (CaseRow.title, CaseRow.description)
        if in_clear
        else (CaseRow.masked_title, CaseRow.masked_description)
    )
    return or_(title.ilike(pattern, escape="\\"), description.ilike(pattern, escape="\\"))


@dataclass(frozen=True)
class PersonalDataHit:
    """A case found by ``q`` only through clear personal data, and the fields that matched."""

    case_id: str
    jurisdiction_code: str
    fields: tuple[str, ...]


async def hits_on_personal_data(
    case_ids: Sequence[str], text: str, *, session: AsyncSession
) -> list[PersonalDataHit]:
    """Of ``case_ids`` (found by ``text`` in the clear), those where a field matches only in
    the clear: the search used personal data the list itself shows masked."""
    if not case_ids:
        return []
    pattern = _pattern(text)
    title_only_clear = CaseRow.title.ilike(pattern, escape="\\") & ~CaseRow.masked_title.ilike(
        pattern, escape="\\"
    )
    description_only_clear = CaseRow.description.ilike(
        pattern, escape="\\"
    ) & ~CaseRow.masked_description.ilike(pattern, escape="\\")
    rows = await session.execute(
        select(
            CaseRow.case_id,
            CaseRow.jurisdiction_code,
            title_only_clear.label("title"),
            description_only_clear.label("description"),
        ).where(CaseRow.case_id.in_(list(case_ids)))
    )
    hits = []
    for row in rows:
        fields = tuple(name for name in ("title", "description") if getattr(row, name))
        if fields:
            hits.append(PersonalDataHit(row.case_id, row.jurisdiction_code, fields))
    return sorted(hits, key=lambda hit: hit.case_id)
