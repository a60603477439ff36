"""调解日程: the sessions booked ahead on the cases within the caller's reach."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionmakerDep
from api.errors import ERROR_RESPONSES
from api.permissions import Reader
from api.services import agenda
from api.services.agenda import Agenda

router = APIRouter(prefix="/v1/sessions", tags=["sessions 调解日程"])


@router.get(
    "",
    response_model=Agenda,
    responses=ERROR_RESPONSES,
    summary="调解日程 / sessions booked ahead, earliest first",
)
async def get_agenda(
    principal: Reader,
    sessionmaker: SessionmakerDep,
    mine: Annotated[
        bool, Query(description="true: 只看本人担任调解员的 / only sessions I mediate")
    ] = False,
    start: Annotated[
        date | None, Query(alias="from", description="开始日期（含），默认今天 / first day")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="结束日期（含），默认四周后 / last day")
    ] = None,
) -> Agenda:
    return await agenda.list_agenda(
        mine=mine,
        start=start,
        end=end,
        principal=principal,
        sessionmaker=sessionmaker,
        now=datetime.now(UTC),
    )
