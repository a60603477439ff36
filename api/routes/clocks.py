"""Clocks (时限): why each clock falls due when it does; pause, resume, extend; acknowledge an
alert on the case."""

from __future__ import annotations

from fastapi import APIRouter

from api.clock_schemas import ClockReport
from api.deps import SessionmakerDep
from api.errors import ERROR_RESPONSES
from api.params import CaseIdPath
from api.permissions import Reader
from api.routes.actions import CLOCK_ACTIONS, add_action_routes
from api.services import clocks

router = APIRouter(prefix="/v1/cases", tags=["cases 案件"])


@router.get(
    "/{case_id}/clocks",
    response_model=ClockReport,
    responses=ERROR_RESPONSES,
    summary="时限说明 / every clock: rule, source, due time and why",
)
async def get_clocks(
    case_id: CaseIdPath, principal: Reader, sessionmaker: SessionmakerDep
) -> ClockReport:
    return await clocks.clocks(case_id, principal=principal, sessionmaker=sessionmaker)


add_action_routes(router, CLOCK_ACTIONS)
