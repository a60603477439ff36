"""重点人员 register: ``POST /v1/watched`` (enter a person), ``GET /v1/watched`` (the persons
in the reader's area), ``GET /v1/watched/{watched_id}`` (one, with their cases),
``POST /v1/watched/lookup`` (find by ID number, in the body). Who may use them is the register's
policy data (the service checks it: 403 for any other role); every read is recorded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.auth import PrincipalDep
from api.deps import SessionmakerDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.params import OptionalPurpose
from api.register_schemas import WatchedList, WatchedLookup, WatchedRequest, WatchedView
from api.services import watched

router = APIRouter(prefix="/v1/watched", tags=["leaders 重点人员"])

WatchedIdPath = Annotated[
    str, Path(pattern=r"^ZD-[0-9a-f]{20}$", description="名册编号 / register entry id")
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WatchedView,
    responses=ERROR_RESPONSES,
    summary="登记重点人员 / enter a watched person",
)
async def register_person(
    body: WatchedRequest,
    principal: PrincipalDep,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
) -> WatchedView:
    entered = await watched.register(
        body, principal=principal, settings=settings, sessionmaker=sessionmaker
    )
    return WatchedView.model_validate(entered)


@router.get(
    "",
    response_model=WatchedList,
    responses=ERROR_RESPONSES,
    summary="重点人员名册 / the watched persons in the reader's area (each read recorded)",
)
async def list_persons(
    principal: PrincipalDep,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    purpose: OptionalPurpose = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WatchedList:
    items = await watched.list_persons(
        purpose=purpose,
        limit=limit,
        principal=principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )
    return WatchedList(items=[WatchedView.model_validate(i) for i in items])


@router.post(
    "/lookup",
    response_model=WatchedView,
    responses=ERROR_RESPONSES,
    summary="按身份证号码查找重点人员 / look a person up by ID number (recorded)",
)
async def lookup_person(
    body: WatchedLookup,
    principal: PrincipalDep,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
) -> WatchedView:
    found = await watched.read_person(
        watched_id=None,
        id_number=body.id_number,
        purpose=body.purpose or None,
        principal=principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )
    return WatchedView.model_validate(found)


@router.get(
    "/{watched_id}",
    response_model=WatchedView,
    responses=ERROR_RESPONSES,
    summary="重点人员及其案件 / a watched person and their cases (recorded)",
)
async def read_person(
    watched_id: WatchedIdPath,
    principal: PrincipalDep,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    purpose: OptionalPurpose = None,
) -> WatchedView:
    found = await watched.read_person(
        watched_id=watched_id,
        id_number=None,
        purpose=purpose,
        principal=principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )
    return WatchedView.model_validate(found)
