"""Cases (案件): intake, lists and counts, a case, its timeline, and the commands on it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime

from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import (
    CaseIdPath,
    CursorQuery,
    EventTypeName,
    IdempotencyKey,
    JurisdictionQuery,
    NameQuery,
    OptionalPurpose,
    OrgIdQuery,
    Reveal,
    TextQuery,
)
from api.permissions import CaseReader, Lister, Reader, Registrar, TimelineReader
from api.routes.actions import add_action_routes
from api.schemas import CaseList, CaseStats, CaseView, IntakeRequest, RelatedCases, Timeline
from api.services import case_export, cases, intake, ledger, parties
from api.services.case_export import XLSX
from api.services.intake import IntakeOutcome
from domain.case.stages import Stage
from domain.values import CaseKind, Category

router = APIRouter(prefix="/v1/cases", tags=["cases 案件"])

_INTAKE_STATUS = {
    IntakeOutcome.REGISTERED: status.HTTP_201_CREATED,
    IntakeOutcome.REPEAT: status.HTTP_200_OK,
    IntakeOutcome.REPEAT_ELSEWHERE: status.HTTP_202_ACCEPTED,
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseView,
    responses={
        **ERROR_RESPONSES,
        200: {"model": CaseView, "description": "重复信访：记入在办的同一事项 / a repeat"},
    },
    summary="登记 / register a case (a repeat petition is recorded on the pending one)",
)
async def create_case(
    body: IntakeRequest,
    principal: Registrar,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    registered = await intake.register(
        body.model_dump(),
        key=idempotency_key,
        principal=principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    return JSONResponse(registered.body, status_code=_INTAKE_STATUS[registered.outcome])


class CaseSort(StrEnum):
    REGISTERED = "registered"  # 登记时间，新的在前
    DEADLINE = "deadline"  # 下一期限，近的在前；没有计时的在最后


@dataclass(frozen=True)
class ListQuery:
    """The list's filters, shared by the list and its export (same filters, same reach)."""

    filters: dict[str, str | None]
    backlog: bool
    holding: cases.Holding | None
    by_deadline: bool


def list_query(
    stage: Stage | None = None,
    kind: CaseKind | None = None,
    category: Category | None = None,
    jurisdiction: JurisdictionQuery = None,
    responsible_unit: NameQuery = None,
    package_leader: NameQuery = None,
    q: TextQuery = None,
    holder: OrgIdQuery = None,
    incoming: OrgIdQuery = None,
    backlog: Annotated[
        bool, Query(description="true: 只看积案（未办结且超过政策的积案天数）/ backlog only")
    ] = False,
    listed: Annotated[
        bool, Query(description="true: 只看挂牌督办案件 / listed cases only")
    ] = False,
    holding: Annotated[
        cases.Holding | None,
        Query(
            description="我的在办：mine 我承办/调解/包案的未结案件，organisation 本单位承办的"
            "未结案件（按期限排序）/ open cases I or my organisation hold, nearest deadline first"
        ),
    ] = None,
    sort: Annotated[
        CaseSort,
        Query(description="registered 登记时间倒序；deadline 下一期限，近的在前 / order"),
    ] = CaseSort.REGISTERED,
) -> ListQuery:
    filters = {
        "stage": stage.value if stage else None,
        "kind": kind.value if kind else None,
        "category": category.value if category else None,
        "jurisdiction": jurisdiction,
        "responsible_unit": responsible_unit,
        "package_leader": package_leader,
        "text": q,
        "holder": holder,
        "incoming": incoming,
        "listed": "true" if listed else None,
    }
    return ListQuery(filters, backlog, holding, sort is CaseSort.DEADLINE)


ListQueryDep = Annotated[ListQuery, Depends(list_query)]


@router.get("", response_model=CaseList, responses=ERROR_RESPONSES, summary="案件列表 / list cases")
async def list_cases(
    principal: Lister,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    query: ListQueryDep,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CaseList:
    return await cases.list_cases(
        query.filters,
        backlog=query.backlog,
        holding=query.holding,
        by_deadline=query.by_deadline,
        cursor=cursor,
        limit=limit,
        principal=principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )


@router.get(
    "/export",
    responses={
        **ERROR_RESPONSES,
        200: {
            "content": {"text/csv": {}, XLSX: {}},
            "description": "当前列表（同样的筛选与范围），个人信息已遮蔽 / the list as a file",
        },
    },
    response_class=Response,
    summary="导出案件列表 / export the current list as CSV or xlsx (at most 10,000 rows)",
)
async def export_cases(
    principal: Lister,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    query: ListQueryDep,
    format: Annotated[
        case_export.ExportFormat, Query(description="csv（UTF-8 BOM）或 xlsx / file format")
    ] = case_export.ExportFormat.CSV,
) -> Response:
    where = cases.list_filter(
        query.filters,
        backlog=query.backlog,
        holding=query.holding,
        principal=principal,
        settings=settings,
    )
    return await case_export.export(
        where,
        by_deadline=query.by_deadline or query.holding is not None,
        format=format,
        principal=principal,
        sessionmaker=sessionmaker,
        search_key=cases.search_key_of(principal, settings),
    )


@router.get(
    "/ledger",
    responses={**ERROR_RESPONSES, 200: {"content": {XLSX: {}}, "description": "登记台账"}},
    response_class=Response,
    summary="导出登记台账 / the current list as a 矛盾纠纷排查化解登记台账 (.xlsx, ≤10,000 rows)",
)
async def export_ledger(
    principal: Lister, sessionmaker: SessionmakerDep, settings: SettingsDep, query: ListQueryDep
) -> Response:
    where = cases.list_filter(
        query.filters,
        backlog=query.backlog,
        holding=query.holding,
        principal=principal,
        settings=settings,
    )
    return await ledger.export_ledger(
        where,
        by_deadline=query.by_deadline or query.holding is not None,
        principal=principal,
        sessionmaker=sessionmaker,
    )


@router.get(
    "/stats",
    response_model=CaseStats,
    responses=ERROR_RESPONSES,
    summary="案件统计 / counts by stage and 积案, within the caller's reach",
)
async def case_stats(
    principal: Lister,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    kind: CaseKind | None = None,
    category: Category | None = None,
    jurisdiction: JurisdictionQuery = None,
) -> CaseStats:
    filters = {
        "kind": kind.value if kind else None,
        "category": category.value if category else None,
        "jurisdiction": jurisdiction,
    }
    return await cases.case_stats(
        filters, principal=principal, settings=settings, sessionmaker=sessionmaker
    )


@router.get(
    "/{case_id}",
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="案件详情 / read a case (a grid worker: the status of a case they reported)",
)
async def get_case(
    case_id: CaseIdPath,
    principal: CaseReader,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    consistent: Annotated[
        bool, Query(description="true: ask the workflow itself instead of the read model")
    ] = False,
    reveal: Reveal = False,
) -> JSONResponse:
    view = await cases.read_case(
        case_id,
        consistent=consistent,
        reveal=reveal,
        principal=principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
    )
    return JSONResponse(view)


@router.get(
    "/{case_id}/timeline",
    response_model=Timeline,
    responses=ERROR_RESPONSES,
    summary="案件时间线 / the case's events in order",
)
async def get_timeline(
    case_id: CaseIdPath,
    principal: TimelineReader,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    reveal: Reveal = False,
    event_type: Annotated[
        list[EventTypeName] | None,
        Query(alias="type", max_length=50, description="只看这些事件类型 / only these types"),
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="从此时起 / from")] = None,
    until: Annotated[AwareDatetime | None, Query(description="到此时止 / until")] = None,
    purpose: OptionalPurpose = None,
) -> JSONResponse:
    view = await cases.timeline(
        case_id,
        reveal=reveal,
        event_types=event_type,
        since=since,
        until=until,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
    )
    return JSONResponse(view)


@router.get(
    "/{case_id}/related",
    response_model=RelatedCases,
    responses=ERROR_RESPONSES,
    summary="同一当事人的其他案件 / other cases of the same parties, within the caller's reach",
)
async def related_cases(
    case_id: CaseIdPath,
    principal: Reader,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RelatedCases:
    return await parties.related_cases(
        case_id, limit=limit, principal=principal, sessionmaker=sessionmaker, scopes=scopes
    )


add_action_routes(router)
