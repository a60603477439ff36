"""The case as a caller may see it, and the stored case a read starts from."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import repositories
from api.access import shown
from api.errors import case_not_found, database_errors
from api.gateway import CaseDocument
from api.schemas import case_view_json
from domain.access import Principal


def case_view(principal: Principal, document: CaseDocument) -> dict[str, Any]:
    """The case with its labels, personal data masked and 重点人员 flags shown by role."""
    view: dict[str, Any] = shown(principal, case_view_json(document), reveal=False)[0]
    return view


async def stored_or_none(
    sessionmaker: async_sessionmaker[AsyncSession], case_id: str
) -> CaseDocument | None:
    async with sessionmaker() as session:
        return await repositories.case_document(case_id, session=session)


async def stored_case(sessionmaker: async_sessionmaker[AsyncSession], case_id: str) -> CaseDocument:
    """The case from the read model; 404 when unknown, 503 when the store is away."""
    with database_errors():
        document = await stored_or_none(sessionmaker, case_id)
    if document is None:
        raise case_not_found(case_id)
    return document
