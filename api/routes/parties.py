"""Parties (当事人): the cases of a person, asked at intake (the ID number stays out of URLs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionmakerDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.permissions import Reader
from api.schemas import PartyQuery, RelatedCases
from api.services import parties

router = APIRouter(prefix="/v1/parties", tags=["parties 当事人"])


@router.post(
    "/cases",
    response_model=RelatedCases,
    responses=ERROR_RESPONSES,
    summary="同一当事人的案件 / the cases of a person (ID number, or name and phone), in reach",
)
async def cases_of_party(
    body: PartyQuery,
    principal: Reader,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RelatedCases:
    return await parties.cases_of_party(
        body, limit=limit, principal=principal, settings=settings, sessionmaker=sessionmaker
    )
