"""Audit endpoints (审计): verify, state as of a moment, dossier, replay, the access trail.

Every read names its purpose (``purpose``, required) and is recorded in the access trail with
the authenticated auditor, the case and the time, before the answer is sent.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel

from activities.audit import chain_audit
from activities.audit.replay import ReplayReport, replay_case
from activities.identity import access_trail
from activities.identity.access_trail import Access, TrailEntry
from activities.reports.dossier import build_dossier
from activities.reports.dossier_model import Dossier
from activities.reports.pdf.document import render_dossier_pdf
from activities.reports.pdf.fonts import PdfFontUnavailable
from activities.store import repositories
from api.access import Purpose, check_reveal, ensure_reachable, record_access, shown
from api.auth import PrincipalDep, require
from api.deps import Resources, ResourcesDep
from api.errors import ERROR_RESPONSES, ApiError, case_not_found, database_errors, unavailable
from api.routes_cases import CaseIdPath, Reveal
from api.schemas import case_view_json
from domain.access import Permission, Principal
from domain.events import Event
from domain.evolve import fold
from domain.history import state_as_of
from domain.labels import STAGE_LABELS
from domain.values import NO_CONTROL_CHARS

router = APIRouter(tags=["audit 审计"])


async def _audited_events(
    resources: Resources,
    principal: Principal,
    case_id: str,
    *,
    reveal: bool = False,
) -> tuple[str, list[Event]]:
    """The case's events for an auditor allowed to read it: (jurisdiction code, events)."""
    require(principal, Permission.AUDIT)
    check_reveal(principal, reveal)
    code = await ensure_reachable(resources, principal, case_id)
    with database_errors():
        async with resources.sessionmaker() as session:
            events = await repositories.case_events(case_id, session=session)
    if not events:
        raise case_not_found(case_id)
    return code, events


async def _verification(resources: Resources, case_id: str) -> chain_audit.VerificationReport:
    with database_errors():
        async with resources.sessionmaker() as session:
            return await chain_audit.verify_case(session, case_id)


@router.get(
    "/v1/cases/{case_id}/verify",
    response_model=chain_audit.VerificationReport,
    responses=ERROR_RESPONSES,
    summary="核验 / check the event hash chain and that the read model equals its fold",
)
async def verify(
    case_id: CaseIdPath, purpose: Purpose, resources: ResourcesDep, principal: PrincipalDep
) -> chain_audit.VerificationReport:
    require(principal, Permission.AUDIT)
    code = await ensure_reachable(resources, principal, case_id)
    report = await _verification(resources, case_id)
    await record_access(
        resources, principal, [Access(case_id, code, "GET /v1/cases/{id}/verify", (), purpose)]
    )
    return report


class StateAsOf(BaseModel):
    """The case as it stood at ``as_of``, folded from its events with the workflow's ``evolve``."""

    case_id: str
    as_of: datetime
    seq: int
    stage: str
    stage_label: str
    plan_revision: int | None
    package_leader: str | None
    policy_version: str | None
    clocks: list[dict[str, Any]]
    open_alerts: list[dict[str, Any]]
    state: dict[str, Any]


@router.get(
    "/v1/cases/{case_id}/state",
    response_model=StateAsOf,
    responses=ERROR_RESPONSES,
    summary="某一时刻的案件状态 / the case as it stood at a moment (default: now)",
)
async def state_at(
    case_id: CaseIdPath,
    purpose: Purpose,
    resources: ResourcesDep,
    principal: PrincipalDep,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="e.g. 2026-03-01T12:00:00+08:00 (with its UTC offset)"),
    ] = None,
    reveal: Reveal = False,
) -> JSONResponse:
    now = datetime.now(UTC)
    if as_of is not None and as_of > now:
        raise ApiError(
            422, "invalid_input", "as_of 不能晚于当前时间", "as_of is in the future", field="as_of"
        )
    instant = as_of or now
    code, events = await _audited_events(resources, principal, case_id, reveal=reveal)
    state = state_as_of(events, instant)
    if state is None:
        raise ApiError(
            404,
            "not_yet_registered",
            f"案件 {case_id} 在该时刻尚未登记",
            f"case {case_id} was not registered yet at {instant.isoformat()}",
            field="as_of",
        )
    document = state.model_dump(mode="json")
    view, fields = shown(principal, case_view_json(document), reveal=reveal)
    plan, leader = state.plan, state.package_leader
    answer = StateAsOf(
        case_id=case_id,
        as_of=instant,
        seq=state.seq,
        stage=state.stage.value,
        stage_label=STAGE_LABELS[state.stage],
        plan_revision=plan.revision if plan else None,
        package_leader=f"{leader.leader_name}（{leader.leader_title}）" if leader else None,
        policy_version=state.policy.version if state.policy else None,
        clocks=view["clocks"],
        open_alerts=[alert for alert in view["alerts"] if alert["status"] == "open"],
        state=view,
    )
    await record_access(
        resources, principal, [Access(case_id, code, "GET /v1/cases/{id}/state", fields, purpose)]
    )
    return JSONResponse(answer.model_dump(mode="json"))


@router.get(
    "/v1/cases/{case_id}/dossier",
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"application/json": {}, "application/pdf": {}}},
    },
    summary="卷宗 / the case dossier, as JSON or a printable PDF",
)
async def dossier(
    case_id: CaseIdPath,
    purpose: Purpose,
    resources: ResourcesDep,
    principal: PrincipalDep,
    format: Literal["json", "pdf"] = "json",
    reveal: Reveal = False,
) -> Response:
    code, events = await _audited_events(resources, principal, case_id, reveal=reveal)
    state = fold(events)
    assert state is not None  # events is never empty here
    report = await _verification(resources, case_id)
    built = build_dossier(
        state,
        events,
        report.model_dump(mode="json"),
        generated_at=datetime.now(UTC),
        generated_by=principal.actor,
        purpose=purpose,
    )
    document, fields = shown(principal, built.model_dump(mode="json"), reveal=reveal)
    if format == "pdf":
        try:
            # Printed from the document as this reader sees it (masked), read back as the model.
            pdf = await asyncio.to_thread(
                render_dossier_pdf,
                Dossier.model_validate(document),
                font_path=resources.settings.pdf_font_path,
            )
        except PdfFontUnavailable as error:
            raise ApiError(503, error.code, error.message_zh, error.message_en) from error
    await record_access(
        resources,
        principal,
        [Access(case_id, code, f"GET /v1/cases/{{id}}/dossier?format={format}", fields, purpose)],
    )
    if format == "pdf":
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{case_id}-dossier.pdf"'},
        )
    return JSONResponse(document)


@router.get(
    "/v1/cases/{case_id}/replay",
    response_model=ReplayReport,
    responses=ERROR_RESPONSES,
    summary="重放验证 / replay the recorded Temporal history through the current workflow code",
)
async def replay(
    case_id: CaseIdPath, purpose: Purpose, resources: ResourcesDep, principal: PrincipalDep
) -> ReplayReport:
    require(principal, Permission.AUDIT)
    code = await ensure_reachable(resources, principal, case_id)
    if not resources.workflows:
        raise unavailable("重放所需的流程代码", "the workflow code replay needs")
    report = await replay_case(
        resources.sessionmaker, resources.temporal, case_id, workflows=resources.workflows
    )
    await record_access(
        resources, principal, [Access(case_id, code, "GET /v1/cases/{id}/replay", (), purpose)]
    )
    return report


class AccessTrail(BaseModel):
    items: list[TrailEntry]


@router.get(
    "/v1/audit/access-trail",
    response_model=AccessTrail,
    responses=ERROR_RESPONSES,
    summary="访问留痕 / who read clear personal data or audited which case, when, why",
)
async def trail(
    purpose: Purpose,
    resources: ResourcesDep,
    principal: PrincipalDep,
    case_id: Annotated[str | None, Query(pattern=r"^(JF|XF)-\d{4}-\d{6,}$")] = None,
    principal_id: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccessTrail:
    require(principal, Permission.AUDIT)
    assert principal.jurisdiction is not None  # an auditor always has one (directory rule)
    with database_errors():
        async with resources.sessionmaker() as session:
            items = await access_trail.query(
                jurisdiction_prefix=principal.jurisdiction,
                case_id=case_id,
                principal_id=principal_id,
                since=since,
                until=until,
                limit=limit,
                session=session,
            )
    return AccessTrail(items=items)
