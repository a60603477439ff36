"""Petitions (信访): answers, reviews, repeats, and the diversion to mediation (访调对接)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import CaseIdPath
from api.permissions import Mediator
from api.routes.actions import PETITION_ACTIONS, add_action_routes
from api.schemas import CaseView, DiversionRequest
from api.services import diversion

router = APIRouter(prefix="/v1/cases", tags=["cases 案件"])

add_action_routes(router, PETITION_ACTIONS)


@router.post(
    "/{case_id}/diversion",
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="访调对接 / divert a petition to mediation: opens the linked dispute case",
)
async def divert_to_mediation(
    case_id: CaseIdPath,
    body: DiversionRequest,
    principal: Mediator,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> JSONResponse:
    view = await diversion.divert(
        case_id,
        note=body.note,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    return JSONResponse(view)
