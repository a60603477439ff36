"""挂牌督办 and 摘牌 on a case (leaders within reach).

``POST /v1/cases/{case_id}/listing``: a leader of a level the policy allows lists the case with a
督办时限 and a supervising unit (403 for another level, 409 if listed already, 422 for a past
deadline or an unknown unit). ``POST /v1/cases/{case_id}/delisting``: the lister (or their
delegate) takes it off once the case is resolved (409 otherwise, nothing changes; 403 for
anyone else). The listed cases: ``GET /v1/cases?listed=true``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.listing_schemas import DelistRequest, ListingRequest
from api.params import CaseIdPath, IdempotencyKey
from api.permissions import Instructor
from api.schemas import CaseView
from api.services import commands
from api.services.listing import delisting_maker, listing_maker

router = APIRouter(prefix="/v1/cases", tags=["leaders 领导批示"])


@router.post(
    "/{case_id}/listing",
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="挂牌督办 / list the case for supervision with a deadline",
)
async def list_case(
    case_id: CaseIdPath,
    body: ListingRequest,
    principal: Instructor,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    view = await commands.act(
        case_id,
        "list_case",
        listing_maker(body, principal, sessionmaker),
        body=body,
        key=idempotency_key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    return JSONResponse(view)


@router.post(
    "/{case_id}/delisting",
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="摘牌 / take the resolved case off the list (the lister's approval)",
)
async def delist_case(
    case_id: CaseIdPath,
    body: DelistRequest,
    principal: Instructor,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    view = await commands.act(
        case_id,
        "delist_case",
        delisting_maker(body, principal),
        body=body,
        key=idempotency_key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    return JSONResponse(view)
