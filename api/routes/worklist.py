"""Worklist (我的待办): what needs the caller's organisation, or the caller, now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionmakerDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.params import CursorQuery
from api.permissions import Reader
from api.schemas import Worklist
from api.services import notices, worklist
from api.services.notices import Notices
from domain.case.worklist import WorkKind

router = APIRouter(prefix="/v1/worklist", tags=["worklist 待办"])


@router.get(
    "",
    response_model=Worklist,
    responses=ERROR_RESPONSES,
    summary="我的待办 / the caller's worklist, nearest due first, with counts per group",
)
async def get_worklist(
    principal: Reader,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    group: Annotated[WorkKind | None, Query(description="只看此分组 / one group only")] = None,
    mine: Annotated[
        bool, Query(description="true: 只看写明本人的（承办人、调解员、包案领导）/ naming me")
    ] = False,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Worklist:
    return await worklist.worklist(
        group=group,
        mine=mine,
        cursor=cursor,
        limit=limit,
        principal=principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )


notices_router = APIRouter(prefix="/v1/notices", tags=["worklist 待办"])


@notices_router.get(
    "",
    response_model=Notices,
    responses=ERROR_RESPONSES,
    summary="提醒数 / how many new alerts, incoming transfers and due items wait for the caller",
)
async def get_notices(principal: Reader, sessionmaker: SessionmakerDep) -> Notices:
    return await notices.notices(principal, sessionmaker=sessionmaker)
