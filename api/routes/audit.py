"""Audit (审计): verify, state as of a moment, dossier, replay, the access and administration
trails.

Every read names its purpose (``purpose``, required) and is recorded in the access trail.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime

from activities.audit.chain_audit import VerificationReport
from activities.audit.replay import ReplayReport
from activities.identity.admin_trail import AdminTrailPage
from api.deps import ReplayWorkflowsDep, ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import CASE_ID, CaseIdPath, Purpose, Reveal
from api.permissions import Auditor
from api.schemas import AccessTrail, StateAsOf
from api.services import audit
from domain.text import NO_CONTROL_CHARS

router = APIRouter(tags=["audit 审计"])


@router.get(
    "/v1/cases/{case_id}/verify",
    response_model=VerificationReport,
    responses=ERROR_RESPONSES,
    summary="核验 / check the event hash chain and that the read model equals its fold",
)
async def verify(
    case_id: CaseIdPath,
    purpose: Purpose,
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    temporal: TemporalDep,
) -> VerificationReport:
    return await audit.verify(
        case_id,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
        temporal=temporal,
    )


@router.get(
    "/v1/cases/{case_id}/state",
    response_model=StateAsOf,
    responses=ERROR_RESPONSES,
    summary="某一时刻的案件状态 / the case as it stood at a moment (default: now)",
)
async def state_at(
    case_id: CaseIdPath,
    purpose: Purpose,
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="e.g. 2026-03-01T12:00:00+08:00 (with its UTC offset)"),
    ] = None,
    reveal: Reveal = False,
) -> JSONResponse:
    answer = await audit.state_at(
        case_id,
        as_of=as_of,
        reveal=reveal,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
    )
    return JSONResponse(answer)


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
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    settings: SettingsDep,
    format: Literal["json", "pdf"] = "json",
    reveal: Reveal = False,
) -> Response:
    found = await audit.dossier(
        case_id,
        format=format,
        reveal=reveal,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
        font_path=settings.pdf_font_path,
    )
    if found.pdf is None:
        return JSONResponse(found.document)
    disposition = f'inline; filename="{case_id}-dossier.pdf"'
    return Response(
        found.pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get(
    "/v1/cases/{case_id}/replay",
    response_model=ReplayReport,
    responses=ERROR_RESPONSES,
    summary="重放验证 / replay the recorded Temporal history through the current workflow code",
)
async def replay(
    case_id: CaseIdPath,
    purpose: Purpose,
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    temporal: TemporalDep,
    workflows: ReplayWorkflowsDep,
) -> ReplayReport:
    return await audit.replay(
        case_id,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
        temporal=temporal,
        workflows=workflows,
    )


@router.get(
    "/v1/audit/access-trail",
    response_model=AccessTrail,
    responses=ERROR_RESPONSES,
    summary="访问留痕 / who read clear personal data or audited which case, when, why",
)
async def trail(
    purpose: Purpose,
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    case_id: Annotated[str | None, Query(pattern=CASE_ID)] = None,
    principal_id: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccessTrail:
    return await audit.trail(
        case_id=case_id,
        principal_id=principal_id,
        since=since,
        until=until,
        limit=limit,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
    )


@router.get(
    "/v1/audit/admin-trail",
    response_model=AdminTrailPage,
    responses=ERROR_RESPONSES,
    summary="管理留痕 / every administrative act, hash-chained; this read is recorded in it",
)
async def administration_trail(
    purpose: Purpose,
    principal: Auditor,
    sessionmaker: SessionmakerDep,
    actor_id: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS)] = None,
    target: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AdminTrailPage:
    return await audit.administration_trail(
        actor_id=actor_id,
        target=target,
        limit=limit,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
    )
