"""The organisation registry (单位名录): places, organisations, the mediator roster, 分流."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from activities.policy.routing import routing_rules
from api.deps import SessionmakerDep, SettingsDep
from api.errors import ERROR_RESPONSES, invalid_input
from api.params import JurisdictionQuery, NameQuery
from api.permissions import Mediator, RegistryAdmin, RegistryReader
from api.registry_schemas import (
    JurisdictionList,
    MediatorCreate,
    MediatorList,
    MediatorPatch,
    MediatorView,
    OrganisationCreate,
    OrganisationList,
    OrganisationPatch,
    OrganisationView,
    PlaceWalk,
    RoutingAnswer,
    RoutingRequest,
)
from api.services import registry

router = APIRouter(tags=["registry 单位名录"])

_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
OrgIdPath = Annotated[str, Path(pattern=_ID, description="单位编号, e.g. xw-center")]
MediatorIdPath = Annotated[str, Path(pattern=_ID, description="调解员编号")]
PlaceQuery = Annotated[
    str | None, Query(pattern=r"^\d{6}(\d{3}){0,3}$", description="a code down to a grid")
]
LimitQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=registry.MAX_ORGANISATIONS_PER_PAGE,
        description="每页条数（给出即分页，默认 50）/ page size; asking for it pages the list",
    ),
]
OffsetQuery = Annotated[
    int | None, Query(ge=0, le=10_000_000, description="起始位置 / how many to skip")
]


@router.get(
    "/v1/jurisdictions",
    response_model=JurisdictionList,
    responses=ERROR_RESPONSES,
    summary="行政区划与网格 / places, with names",
)
async def list_jurisdictions(
    principal: RegistryReader, sessionmaker: SessionmakerDep, under: PlaceQuery = None
) -> JurisdictionList:
    items = await registry.list_jurisdictions(principal, under=under, sessionmaker=sessionmaker)
    return JurisdictionList(items=items)


@router.get(
    "/v1/organisations",
    response_model=OrganisationList,
    responses=ERROR_RESPONSES,
    summary="单位列表 / organisations",
)
async def list_organisations(
    principal: RegistryReader,
    sessionmaker: SessionmakerDep,
    within: JurisdictionQuery = None,
    covering: PlaceQuery = None,
    active: bool | None = None,
    at: Annotated[
        JurisdictionQuery, Query(description="所在区划恰为此 / placed at this code")
    ] = None,
    name: Annotated[NameQuery, Query(min_length=1, description="名称包含 / name holds")] = None,
    limit: LimitQuery = None,
    offset: OffsetQuery = None,
) -> OrganisationList:
    """Every match (as before) unless a page is asked for: ``at``, ``name``, ``limit`` or
    ``offset`` answer one page (``limit`` at most 200, default 50) with ``total``."""
    if at is None and name is None and limit is None and offset is None:
        items = await registry.list_organisations(
            principal, within=within, covering=covering, active=active, sessionmaker=sessionmaker
        )
        return OrganisationList(items=items)
    if covering is not None:
        raise invalid_input(
            "分页查询不支持 covering，请改用 at 或 within",
            "covering cannot be paged: use at or within",
            field="covering",
        )
    return await registry.find_organisations(
        principal,
        at=at,
        within=within,
        name=name,
        active=active,
        limit=limit or registry.ORGANISATIONS_PER_PAGE,
        offset=offset or 0,
        sessionmaker=sessionmaker,
    )


@router.get(
    "/v1/jurisdictions/walk",
    response_model=PlaceWalk,
    responses=ERROR_RESPONSES,
    summary="逐级选择区划 / a place, the places above it and those directly inside it",
)
async def walk_jurisdictions(
    principal: RegistryReader,
    sessionmaker: SessionmakerDep,
    place: PlaceQuery = None,
    grids: bool = True,
) -> PlaceWalk:
    """``place`` omitted: the top places (counties); at most 200 places inside it."""
    return await registry.place_walk(principal, place, grids=grids, sessionmaker=sessionmaker)


@router.post(
    "/v1/organisations",
    response_model=OrganisationView,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
    summary="新增单位 / add an organisation",
)
async def create_organisation(
    body: OrganisationCreate, principal: RegistryAdmin, sessionmaker: SessionmakerDep
) -> OrganisationView:
    return await registry.create_organisation(principal, body, sessionmaker=sessionmaker)


@router.get(
    "/v1/organisations/{org_id}",
    response_model=OrganisationView,
    responses=ERROR_RESPONSES,
    summary="单位 / an organisation",
)
async def read_organisation(
    org_id: OrgIdPath, principal: RegistryReader, sessionmaker: SessionmakerDep
) -> OrganisationView:
    return await registry.read_organisation(principal, org_id, sessionmaker=sessionmaker)


@router.patch(
    "/v1/organisations/{org_id}",
    response_model=OrganisationView,
    responses=ERROR_RESPONSES,
    summary="修改或停用单位 / change or deactivate an organisation",
)
async def update_organisation(
    org_id: OrgIdPath,
    body: OrganisationPatch,
    principal: RegistryAdmin,
    sessionmaker: SessionmakerDep,
) -> OrganisationView:
    return await registry.update_organisation(principal, org_id, body, sessionmaker=sessionmaker)


@router.get(
    "/v1/organisations/{org_id}/mediators",
    response_model=MediatorList,
    responses=ERROR_RESPONSES,
    summary="调解员名册 / the organisation's roster",
)
async def list_mediators(
    org_id: OrgIdPath,
    principal: RegistryReader,
    sessionmaker: SessionmakerDep,
    active: bool | None = None,
) -> MediatorList:
    items = await registry.list_mediators(
        principal, org_id, active=active, sessionmaker=sessionmaker
    )
    return MediatorList(items=items)


@router.post(
    "/v1/organisations/{org_id}/mediators",
    response_model=MediatorView,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
    summary="登记调解员 / add a mediator to the roster",
)
async def add_mediator(
    org_id: OrgIdPath,
    body: MediatorCreate,
    principal: RegistryReader,
    sessionmaker: SessionmakerDep,
) -> MediatorView:
    return await registry.add_mediator(principal, org_id, body, sessionmaker=sessionmaker)


@router.patch(
    "/v1/mediators/{mediator_id}",
    response_model=MediatorView,
    responses=ERROR_RESPONSES,
    summary="修改调解员 / change a mediator's entry",
)
async def update_mediator(
    mediator_id: MediatorIdPath,
    body: MediatorPatch,
    principal: RegistryReader,
    sessionmaker: SessionmakerDep,
) -> MediatorView:
    return await registry.update_mediator(principal, mediator_id, body, sessionmaker=sessionmaker)


@router.post(
    "/v1/routing/suggestion",
    response_model=RoutingAnswer,
    responses=ERROR_RESPONSES,
    summary="分流建议 / where a case should go, and the alternatives",
)
async def routing_suggestion(
    body: RoutingRequest,
    principal: Mediator,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
) -> RoutingAnswer:
    return await registry.routing_answer(
        principal,
        body.category,
        body.risk_level,
        body.jurisdiction_code,
        sessionmaker=sessionmaker,
        rules=routing_rules(settings.routing_rules_file),
    )
