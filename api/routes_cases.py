"""The case API: intake, commands, reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime
from sqlalchemy.exc import SQLAlchemyError

from activities.identity.access_trail import Access
from activities.store import repositories
from activities.store.case_numbers import reserve_case_number
from api.access import (
    OptionalPurpose,
    check_reveal,
    ensure_reachable,
    jurisdiction_code,
    reachable,
    record_access,
    shown,
)
from api.auth import PrincipalDep, require
from api.deps import Resources, ResourcesDep
from api.errors import (
    ERROR_RESPONSES,
    ApiError,
    case_not_found,
    database_errors,
    from_domain,
    unavailable,
)
from api.gateway import CaseDocument, query_state, register_case, send_command
from api.schemas import (
    ACTION_ROUTES,
    ActionRoute,
    CaseList,
    CaseListItem,
    CaseStats,
    CaseView,
    ClockReport,
    CommandBody,
    DiversionRequest,
    IntakeRequest,
    Timeline,
    case_view_json,
    clock_report,
    labels_of,
    timeline_entry,
)
from domain import commands as c
from domain.access import Permission, Principal
from domain.decide import decide
from domain.details import IntakeDetails
from domain.errors import DomainError
from domain.labels import EVENT_LABELS
from domain.matters import diverted_intake, matter_key
from domain.privacy import scrub_text
from domain.stages import TERMINAL_STAGES, Stage
from domain.summaries import event_summaries
from domain.values import JURISDICTION_CODE, NO_CONTROL_CHARS, CaseKind, Category, china_date

router = APIRouter(prefix="/v1/cases", tags=["cases 案件"])

CaseIdPath = Annotated[
    str, Path(pattern=r"^(JF|XF)-\d{4}-\d{6,}$", description="案件编号, e.g. JF-2026-000123")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="A retried request with the same key is applied once.",
    ),
]


def _now() -> datetime:
    return datetime.now(UTC)


Reveal = Annotated[
    bool,
    Query(description="true: 显示完整身份证号和电话（记入访问留痕）/ show clear PII (recorded)"),
]


def _case_response(
    document: CaseDocument, principal: Principal, status_code: int = 200
) -> JSONResponse:
    """The case as this caller may see it: personal data masked, 重点人员 flags by role."""
    view, _ = shown(principal, case_view_json(document), reveal=False)
    return JSONResponse(view, status_code=status_code)


def _idempotency_conflict() -> ApiError:
    return ApiError(
        409,
        "idempotency_key_conflict",
        "该 Idempotency-Key 已被其他单位使用",
        "this Idempotency-Key was used by another center",
        field="Idempotency-Key",
    )


def _check_intake_scope(principal: Principal, code: str) -> None:
    if not principal.may_register_at(code):
        raise ApiError(
            403,
            "forbidden_jurisdiction",
            "案件属地不在您的辖区内",
            "the case's jurisdiction is outside yours",
            field="jurisdiction",
        )


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
    resources: ResourcesDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    require(principal, Permission.ACT)
    now = _now()
    key = idempotency_key or f"auto-{uuid.uuid4()}"
    details = body.model_dump()
    intake = IntakeDetails.model_validate(details)
    _check_intake_scope(principal, intake.jurisdiction.code)
    matter = matter_key(intake)
    pending = None
    if matter is not None:  # petitions only: is a petition on the same matter pending?
        with database_errors():
            async with resources.sessionmaker() as session:
                # A retry of the intake that created that petition is not a repeat of it.
                if await repositories.case_for_key(key, session=session) is None:
                    pending = await repositories.pending_petition(matter, session=session)
    if pending is not None:
        # 重复信访: the same matter while a petition on it is pending is not a new case.
        repeat = c.RecordRepeat(
            received_on=intake.received_on or china_date(now),
            channel=intake.channel,
            summary=intake.title,
        )
        document = await send_command(
            resources.temporal,
            resources.sessionmaker,
            resources.settings,
            case_id=pending,
            envelope=c.CommandEnvelope(
                command_id=f"repeat:{key}", actor=principal.actor, command=repeat
            ),
            now=now,
        )
        if not reachable(principal, document):
            # The matter is handled by another center: say so, without showing its case.
            return JSONResponse(
                {
                    "case_id": pending,
                    "repeat": True,
                    "message_zh": f"同一事项正在其他单位办理（{pending}），已记为重复信访",
                    "message_en": f"recorded as a repeat on {pending}, handled elsewhere",
                },
                status_code=status.HTTP_202_ACCEPTED,
            )
        return _case_response(document, principal, status.HTTP_200_OK)
    with database_errors():
        case_id, retried = await reserve_case_number(
            resources.sessionmaker,
            kind=CaseKind(details["kind"]),
            year=china_date(now).year,
            key=key,
        )
        stored = await _stored_or_none(resources, case_id) if retried else None
    if stored is not None and not reachable(principal, stored):
        raise _idempotency_conflict()
    if stored is not None and Stage(stored["stage"]) in TERMINAL_STAGES:
        # The case has ended and its workflow may be gone (retention): never start it again.
        return _case_response(stored, principal, status.HTTP_201_CREATED)
    envelope = c.CommandEnvelope(
        command_id=f"intake:{key}",
        actor=principal.actor,
        command=c.Register(**details, case_id=case_id, center_id=principal.center_id),
    )
    state = await register_case(
        resources.temporal,
        resources.sessionmaker,
        resources.settings,
        case_id=case_id,
        envelope=envelope,
        now=now,
    )
    if retried and not reachable(principal, state):
        raise _idempotency_conflict()
    return _case_response(state, principal, status.HTTP_201_CREATED)


def _reach_filter(principal: Principal, **filters: str | None) -> repositories.CaseFilter:
    """The caller's filters narrowed to the caller's reach (never widened by them)."""
    within, center_id = principal.list_reach
    return repositories.CaseFilter(**filters, within=within, center_id=center_id)


@router.get("", response_model=CaseList, responses=ERROR_RESPONSES, summary="案件列表 / list cases")
async def list_cases(
    resources: ResourcesDep,
    principal: PrincipalDep,
    stage: Stage | None = None,
    kind: CaseKind | None = None,
    category: Category | None = None,
    jurisdiction: Annotated[
        str | None,
        Query(pattern=JURISDICTION_CODE, description="county/town/village code"),
    ] = None,
    responsible_unit: Annotated[str | None, Query(max_length=200, pattern=NO_CONTROL_CHARS)] = None,
    package_leader: Annotated[str | None, Query(max_length=200, pattern=NO_CONTROL_CHARS)] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, pattern=NO_CONTROL_CHARS, description="标题/描述检索"),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500, pattern=NO_CONTROL_CHARS)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CaseList:
    require(principal, Permission.LIST_CASES)
    where = _reach_filter(
        principal,
        stage=stage.value if stage else None,
        kind=kind.value if kind else None,
        category=category.value if category else None,
        jurisdiction=jurisdiction,
        responsible_unit=responsible_unit,
        package_leader=package_leader,
        text=q,
    )
    try:
        async with resources.sessionmaker() as session:
            page = await repositories.list_cases(where, cursor=cursor, limit=limit, session=session)
    except ValueError as error:
        raise ApiError(
            422, "invalid_input", "分页游标无效", "invalid cursor", field="cursor"
        ) from error
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("案件数据库", "case database") from error
    items = [
        CaseListItem(
            **{**item.model_dump(), "title": scrub_text(item.title)},
            labels=labels_of(item.stage, item.category, item.channel, item.risk_level),
        )
        for item in page.items
    ]
    return CaseList(items=items, next_cursor=page.next_cursor)


@router.get(
    "/stats",
    response_model=CaseStats,
    responses=ERROR_RESPONSES,
    summary="案件统计 / counts by stage, within the caller's reach",
)
async def case_stats(
    resources: ResourcesDep,
    principal: PrincipalDep,
    kind: CaseKind | None = None,
    category: Category | None = None,
    jurisdiction: Annotated[
        str | None,
        Query(pattern=JURISDICTION_CODE, description="county/town/village code"),
    ] = None,
) -> CaseStats:
    require(principal, Permission.LIST_CASES)
    where = _reach_filter(
        principal,
        kind=kind.value if kind else None,
        category=category.value if category else None,
        jurisdiction=jurisdiction,
    )
    with database_errors():
        async with resources.sessionmaker() as session:
            counts = await repositories.count_cases(where, session=session)
    return CaseStats(total=sum(counts.values()), by_stage=counts)


async def _stored_or_none(resources: Resources, case_id: str) -> CaseDocument | None:
    async with resources.sessionmaker() as session:
        return await repositories.case_document(case_id, session=session)


async def _stored_case(resources: Resources, case_id: str) -> CaseDocument:
    with database_errors():
        document = await _stored_or_none(resources, case_id)
    if document is None:
        raise case_not_found(case_id)
    return document


@router.get(
    "/{case_id}",
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="案件详情 / read a case",
)
async def get_case(
    case_id: CaseIdPath,
    resources: ResourcesDep,
    principal: PrincipalDep,
    consistent: Annotated[
        bool, Query(description="true: ask the workflow itself instead of the read model")
    ] = False,
    reveal: Reveal = False,
) -> JSONResponse:
    require(principal, Permission.READ_CASE)
    check_reveal(principal, reveal)
    document = await query_state(resources.temporal, case_id) if consistent else None
    if document is None:
        document = await _stored_case(resources, case_id)
    if not reachable(principal, document):
        raise case_not_found(case_id)
    view, fields = shown(principal, case_view_json(document), reveal=reveal)
    await record_access(
        resources,
        principal,
        [Access(case_id, jurisdiction_code(document), "GET /v1/cases/{id}", fields)]
        if fields
        else [],
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
    resources: ResourcesDep,
    principal: PrincipalDep,
    reveal: Reveal = False,
    event_type: Annotated[
        list[str] | None,
        Query(alias="type", max_length=50, description="只看这些事件类型 / only these types"),
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="从此时起 / from")] = None,
    until: Annotated[AwareDatetime | None, Query(description="到此时止 / until")] = None,
    purpose: OptionalPurpose = None,
) -> JSONResponse:
    auditing = principal.may(Permission.AUDIT) and not principal.may(Permission.READ_CASE)
    if not auditing:
        require(principal, Permission.READ_CASE)
    elif purpose is None:
        raise ApiError(
            422,
            "invalid_input",
            "审计查阅须说明用途（purpose）",
            "an audit read needs a purpose",
            field="purpose",
        )
    check_reveal(principal, reveal)
    unknown = sorted(set(event_type or ()) - set(EVENT_LABELS))
    if unknown:
        raise ApiError(
            422, "invalid_input", "未知的事件类型", f"unknown event type {unknown[0]}", field="type"
        )
    code = await ensure_reachable(resources, principal, case_id)
    with database_errors():
        async with resources.sessionmaker() as session:
            events = await repositories.case_events(case_id, session=session)
    if not events:
        raise case_not_found(case_id)
    summaries = event_summaries(events)
    entries = [
        timeline_entry(event, summaries.get(event.seq, ""))
        for event in events
        if (not event_type or event.type in event_type)
        and (since is None or event.at >= since)
        and (until is None or event.at <= until)
    ]
    timeline = Timeline(case_id=case_id, entries=entries)
    view, fields = shown(principal, timeline.model_dump(mode="json"), reveal=reveal)
    accesses = [Access(case_id, code, "GET /v1/cases/{id}/timeline", fields, purpose)]
    await record_access(resources, principal, accesses if fields or auditing else [])
    return JSONResponse(view)


@router.get(
    "/{case_id}/clocks",
    response_model=ClockReport,
    responses=ERROR_RESPONSES,
    summary="时限说明 / every clock: rule, source, due time and why",
)
async def get_clocks(
    case_id: CaseIdPath, resources: ResourcesDep, principal: PrincipalDep
) -> ClockReport:
    require(principal, Permission.READ_CASE)
    with database_errors():
        async with resources.sessionmaker() as session:
            state = await repositories.get_case(case_id, session=session)
    if state is None or not principal.reaches(state.jurisdiction.code, state.center_id):
        raise case_not_found(case_id)
    return clock_report(state)


def _add_action_route(route: ActionRoute) -> None:
    request_model = route.request
    command_model = route.command
    command_fields = [name for name in command_model.model_fields if name != "type"]

    async def act(
        case_id: CaseIdPath,
        body: CommandBody,
        resources: ResourcesDep,
        principal: PrincipalDep,
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        require(principal, Permission.ACT)
        await ensure_reachable(resources, principal, case_id)
        # The request model validated these very fields; building the command skips doing it twice.
        fields = {name: getattr(body, name) for name in command_fields}
        envelope = c.CommandEnvelope(
            command_id=idempotency_key or f"auto-{uuid.uuid4()}",
            actor=principal.actor,
            command=command_model.model_construct(**fields),
        )
        state = await send_command(
            resources.temporal,
            resources.sessionmaker,
            resources.settings,
            case_id=case_id,
            envelope=envelope,
            now=_now(),
        )
        return _case_response(state, principal)

    # The body model is chosen per route; postponed annotations cannot name it.
    act.__annotations__["body"] = request_model
    act.__name__ = "action_" + route.path.replace("-", "_")
    router.add_api_route(
        f"/{{case_id}}/{route.path}",
        act,
        methods=["POST"],
        response_model=CaseView,
        responses=ERROR_RESPONSES,
        summary=route.summary,
    )


for _route in ACTION_ROUTES:
    _add_action_route(_route)


@router.post(
    "/{case_id}/diversion",
    response_model=CaseView,
    responses=ERROR_RESPONSES,
    summary="访调对接 / divert a petition to mediation: opens the linked dispute case",
)
async def divert_to_mediation(
    case_id: CaseIdPath,
    body: DiversionRequest,
    resources: ResourcesDep,
    principal: PrincipalDep,
) -> JSONResponse:
    require(principal, Permission.ACT)
    now = _now()
    with database_errors():
        async with resources.sessionmaker() as session:
            petition = await repositories.get_case(case_id, session=session)
    if petition is None or not principal.reaches(petition.jurisdiction.code, petition.center_id):
        raise case_not_found(case_id)
    key = f"divert:{case_id}"
    probe = c.CommandEnvelope(
        command_id=key,
        actor=principal.actor,
        command=c.DivertToMediation(dispute_case_id="JF-0000-000000", note=body.note),
    )
    try:  # refuse before opening anything when the petition's stage does not allow it
        decide(petition, probe, now=now)
    except DomainError as error:
        raise from_domain(error) from None
    intake = diverted_intake(petition).model_dump()
    with database_errors():
        dispute_id, _ = await reserve_case_number(
            resources.sessionmaker, kind=CaseKind.DISPUTE, year=china_date(now).year, key=key
        )
    await register_case(
        resources.temporal,
        resources.sessionmaker,
        resources.settings,
        case_id=dispute_id,
        envelope=c.CommandEnvelope(
            command_id=f"intake:{key}",
            actor=principal.actor,
            command=c.Register.model_validate(
                {**intake, "case_id": dispute_id, "center_id": principal.center_id}
            ),
        ),
        now=now,
    )
    document = await send_command(
        resources.temporal,
        resources.sessionmaker,
        resources.settings,
        case_id=case_id,
        envelope=c.CommandEnvelope(
            command_id=key,
            actor=principal.actor,
            command=c.DivertToMediation(dispute_case_id=dispute_id, note=body.note),
        ),
        now=now,
    )
    return _case_response(document, principal)
