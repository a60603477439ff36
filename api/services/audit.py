"""Audit (审计): verify, state as of a moment, dossier, replay, the access trail.

Every read names its purpose and is recorded in the access trail with the authenticated auditor,
the case and the time, before the answer is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.audit import chain_audit
from activities.audit.replay import ReplayReport, replay_case
from activities.files.store import FileStore
from activities.identity import access_trail, admin_trail
from activities.identity.access_trail import Access
from activities.identity.admin_trail import Actor, AdminTrailPage
from activities.reports import dossier_model
from activities.reports.dossier import build_dossier
from activities.reports.pdf.document import render_dossier_pdf
from activities.reports.pdf.fonts import PdfFontUnavailable
from activities.store import accountability as accountability_store
from activities.store import repositories
from api.access import CaseScopes, check_reveal, record_access, shown
from api.errors import ApiError, case_not_found, database_errors, invalid_input, unavailable
from api.gateway import query_state
from api.schemas import AccessTrail, StateAsOf, case_view_json
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.history import state_as_of
from domain.case.labels import STAGE_LABELS
from domain.people.access import Principal
from domain.people.administration import AdminAction

ACCESS_TRAIL_ENDPOINT = "GET /v1/audit/access-trail"


async def _audited_events(
    case_id: str,
    *,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
    reveal: bool = False,
) -> tuple[str, list[Event]]:
    """The case's events for an auditor allowed to read it: (jurisdiction code, events)."""
    check_reveal(principal, reveal)
    code = await scopes.ensure_reachable(principal, case_id)
    with database_errors():
        async with sessionmaker() as session:
            events = await repositories.case_events(case_id, session=session)
    if not events:
        raise case_not_found(case_id)
    return code, events


async def _verification(
    sessionmaker: async_sessionmaker[AsyncSession],
    case_id: str,
    temporal: Client | None = None,
    files: FileStore | None = None,
) -> chain_audit.VerificationReport:
    """The report; with ``temporal``, the trail is compared with the workflow's last seq."""
    try:  # the engine away: the store's own checks still run (workflow_seq null: unknown)
        document = await query_state(temporal, case_id) if temporal is not None else None
    except ApiError:
        document = None
    workflow_seq = int(document["seq"]) if document is not None else None
    with database_errors():
        async with sessionmaker() as session:
            return await chain_audit.verify_case(session, case_id, files, workflow_seq=workflow_seq)


async def verify(
    case_id: str,
    *,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
    temporal: Client | None = None,
    files: FileStore | None = None,
) -> chain_audit.VerificationReport:
    """核验: the event hash chain, that the read model equals the fold of its events, that
    the trail holds every event the case's workflow recorded, and (with ``files``) that every
    file the chain records is in the file store unchanged."""
    code = await scopes.ensure_reachable(principal, case_id)
    report = await _verification(sessionmaker, case_id, temporal, files)
    access = Access(case_id, code, "GET /v1/cases/{id}/verify", (), purpose)
    await record_access(sessionmaker, principal, [access])
    return report


async def state_at(
    case_id: str,
    *,
    as_of: datetime | None,
    reveal: bool,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
) -> dict[str, Any]:
    """The case as it stood at ``as_of`` (default: now), folded from its events."""
    now = datetime.now(UTC)
    if as_of is not None and as_of > now:
        raise invalid_input("查询时间不能晚于当前时间", "as_of is in the future", field="as_of")
    instant = as_of or now
    code, events = await _audited_events(
        case_id, principal=principal, sessionmaker=sessionmaker, scopes=scopes, reveal=reveal
    )
    state = state_as_of(events, instant)
    if state is None:
        raise ApiError(
            404,
            "not_yet_registered",
            f"案件 {case_id} 在该时刻尚未登记",
            f"case {case_id} was not registered yet at {instant.isoformat()}",
            field="as_of",
        )
    view, fields = shown(principal, case_view_json(state.model_dump(mode="json")), reveal=reveal)
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
    access = Access(case_id, code, "GET /v1/cases/{id}/state", fields, purpose)
    await record_access(sessionmaker, principal, [access])
    return answer.model_dump(mode="json")


@dataclass(frozen=True)
class Dossier:
    """卷宗: the document as JSON, and as a printable PDF when one was asked for."""

    document: dict[str, Any]
    pdf: bytes | None = None


async def dossier(
    case_id: str,
    *,
    format: Literal["json", "pdf"],
    reveal: bool,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
    font_path: Path | None,
    files: FileStore | None = None,
) -> Dossier:
    code, events = await _audited_events(
        case_id, principal=principal, sessionmaker=sessionmaker, scopes=scopes, reveal=reveal
    )
    state = fold(events)
    assert state is not None  # events is never empty here
    report = await _verification(sessionmaker, case_id, files=files)
    with database_errors():
        async with sessionmaker() as session:  # 约谈/通报 about the case, within the reader's area
            held = await accountability_store.records(
                within=principal.jurisdiction or code, case_id=case_id, limit=200, session=session
            )
    built = build_dossier(
        state,
        events,
        report.model_dump(mode="json"),
        generated_at=datetime.now(UTC),
        generated_by=principal.actor,
        purpose=purpose,
        accountability=[record for record, _ in held],
    )
    document, fields = shown(principal, built.model_dump(mode="json"), reveal=reveal)
    pdf = None
    if format == "pdf":
        try:
            # Printed from the document as this reader sees it (masked), read back as the model.
            pdf = await asyncio.to_thread(
                render_dossier_pdf,
                dossier_model.Dossier.model_validate(document),
                font_path=font_path,
            )
        except PdfFontUnavailable as error:
            raise ApiError(503, error.code, error.message_zh, error.message_en) from error
    endpoint = f"GET /v1/cases/{{id}}/dossier?format={format}"
    await record_access(sessionmaker, principal, [Access(case_id, code, endpoint, fields, purpose)])
    return Dossier(document=document, pdf=pdf)


async def replay(
    case_id: str,
    *,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
    temporal: Client,
    workflows: Sequence[type],
) -> ReplayReport:
    """重放验证: the case's recorded histories through the workflow code deployed now."""
    code = await scopes.ensure_reachable(principal, case_id)
    if not workflows:
        raise unavailable("重放所需的流程代码", "the workflow code replay needs")
    report = await replay_case(sessionmaker, temporal, case_id, workflows=workflows)
    access = Access(case_id, code, "GET /v1/cases/{id}/replay", (), purpose)
    await record_access(sessionmaker, principal, [access])
    return report


async def trail(
    *,
    case_id: str | None,
    principal_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AccessTrail:
    """访问留痕 within the auditor's jurisdiction; the read itself is recorded in it first."""
    assert principal.jurisdiction is not None  # an auditor always has one (directory rule)
    read = Access(case_id or "", principal.jurisdiction, ACCESS_TRAIL_ENDPOINT, (), purpose)
    with database_errors():
        async with sessionmaker.begin() as session:
            await access_trail.record(principal, [read], at=datetime.now(UTC), session=session)
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


async def administration_trail(
    *,
    actor_id: str | None,
    target: str | None,
    limit: int,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AdminTrailPage:
    """管理留痕 with its chain checked; the read is appended to it first (查阅留痕)."""
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker.begin() as session:
            await admin_trail.append(
                Actor.of(principal),
                AdminAction.TRAIL_READ,
                details={"trail": "administration", "purpose": purpose},
                at=now,
                session=session,
            )
            items = await admin_trail.query(
                actor_id=actor_id,
                target=target,
                since=None,
                until=None,
                limit=limit,
                session=session,
            )
            checked = await admin_trail.check(session=session)
    return AdminTrailPage(items=items, check=checked)
