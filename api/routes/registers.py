"""The leaders' registers: 领导接访 (reception logs and the cases registered from them) and
约谈/通报 (accountability records).

``POST /v1/accountability`` (a leader appends a 约谈 or 通报), ``GET /v1/accountability``
(leaders over the organisation's area; auditors stating a purpose, recorded).

``POST /v1/receptions`` (a leader records a reception), ``GET /v1/receptions`` (the receptions
in the leader's area; auditors stating a purpose, recorded), ``GET /v1/receptions/{reception_id}``
(one, with its cases; the same readers),
``POST /v1/receptions/{reception_id}/cases`` (register a case from it: the intake body).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse

from api.deps import SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import RECEPTION_ID, IdempotencyKey, OptionalPurpose
from api.permissions import AccountabilityReader, Receiver, ReceptionReader, Summoner
from api.register_schemas import (
    AccountabilityList,
    AccountabilityRequest,
    AccountabilityView,
    ReceptionIntakeRequest,
    ReceptionList,
    ReceptionRequest,
    ReceptionView,
)
from api.schemas import CaseView
from api.services import accountability, receptions
from api.services.intake import IntakeOutcome

router = APIRouter(tags=["leaders 领导接访 约谈通报"])
receptions_router = APIRouter(prefix="/v1/receptions")

ReceptionIdPath = Annotated[
    str, Path(pattern=RECEPTION_ID, description="接访记录编号 / reception id")
]


@receptions_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceptionView,
    responses=ERROR_RESPONSES,
    summary="领导接访登记 / record a reception",
)
async def record_reception(
    body: ReceptionRequest,
    principal: Receiver,
    sessionmaker: SessionmakerDep,
    idempotency_key: IdempotencyKey = None,
) -> ReceptionView:
    recorded = await receptions.record(
        body, key=idempotency_key, principal=principal, sessionmaker=sessionmaker
    )
    return ReceptionView.model_validate(recorded)


@receptions_router.get(
    "",
    response_model=ReceptionList,
    responses=ERROR_RESPONSES,
    summary="接访记录 / the receptions in the caller's area",
)
async def list_receptions(
    principal: ReceptionReader,
    sessionmaker: SessionmakerDep,
    purpose: OptionalPurpose = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReceptionList:
    items = await receptions.list_receptions(
        limit=limit, purpose=purpose, principal=principal, sessionmaker=sessionmaker
    )
    return ReceptionList(items=[ReceptionView.model_validate(i) for i in items])


@receptions_router.get(
    "/{reception_id}",
    response_model=ReceptionView,
    responses=ERROR_RESPONSES,
    summary="一次接访及由此登记的案件 / a reception and the cases registered from it",
)
async def get_reception(
    reception_id: ReceptionIdPath,
    principal: ReceptionReader,
    sessionmaker: SessionmakerDep,
    purpose: OptionalPurpose = None,
) -> ReceptionView:
    found = await receptions.get_reception(
        reception_id, purpose=purpose, principal=principal, sessionmaker=sessionmaker
    )
    return ReceptionView.model_validate(found)


@receptions_router.post(
    "/{reception_id}/cases",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="从接访登记案件 / register a case from the reception (channel 领导接访)",
)
async def register_from_reception(
    reception_id: ReceptionIdPath,
    body: ReceptionIntakeRequest,
    principal: Receiver,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    registered = await receptions.register_case(
        reception_id,
        body.model_dump(),
        key=idempotency_key,
        principal=principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    code = 201 if registered.outcome is IntakeOutcome.REGISTERED else 200
    return JSONResponse(registered.body, status_code=code)


router.include_router(receptions_router)

CaseIdQuery = Annotated[
    str | None,
    Query(pattern=r"^(JF|XF)-\d{4}-\d{6}$", description="所涉案件 / about this case only"),
]


@router.post(
    "/v1/accountability",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountabilityView,
    responses=ERROR_RESPONSES,
    summary="约谈 / 通报 (append-only; a correction names the record it corrects)",
)
async def record_accountability(
    body: AccountabilityRequest,
    principal: Summoner,
    sessionmaker: SessionmakerDep,
    idempotency_key: IdempotencyKey = None,
) -> AccountabilityView:
    recorded = await accountability.record(
        body, key=idempotency_key, principal=principal, sessionmaker=sessionmaker
    )
    return AccountabilityView.model_validate(recorded)


@router.get(
    "/v1/accountability",
    response_model=AccountabilityList,
    responses=ERROR_RESPONSES,
    summary="约谈通报记录 / the records against organisations in the caller's area",
)
async def list_accountability(
    principal: AccountabilityReader,
    sessionmaker: SessionmakerDep,
    case_id: CaseIdQuery = None,
    purpose: OptionalPurpose = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AccountabilityList:
    items = await accountability.list_records(
        case_id=case_id,
        purpose=purpose,
        limit=limit,
        principal=principal,
        sessionmaker=sessionmaker,
    )
    return AccountabilityList(items=[AccountabilityView.model_validate(i) for i in items])
