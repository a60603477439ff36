"""领导接访: a leader's reception log, and cases registered from it through the normal intake.

A leader records a reception (the day, the place, the receiving organisation, the visitors);
it is read by the leaders whose area holds it (the area is part of every query: 404 outside),
and by auditors of that area who state a purpose (each reception shown is a line of the access
trail, written before the answer).
The leader who received the visitors registers their cases from it: intake as the receiving
organisation would register them (its routing), channel 领导接访, the leader as 包案领导 (by
account). The case records the reception in its registration event; the log lists the case.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.identity.access_trail import Access
from activities.runtime.settings import Settings
from activities.store import receptions as store
from activities.store import registry as registry_store
from activities.store.receptions import ReceptionCase
from api.access import record_access
from api.errors import ApiError, database_errors, forbidden, invalid_input
from api.idempotency import bind
from api.register_schemas import ReceptionCaseView, ReceptionRequest, ReceptionView, VisitorView
from api.services import intake
from domain.case.details import PackageLeaderDetails
from domain.case.labels import STAGE_LABELS
from domain.case.stages import Stage
from domain.people.access import Principal, Role
from domain.people.privacy import mask_id, mask_phone, scrub_text
from domain.registers.reception import Reception, leader_title, reception_not_future
from domain.values import china_date

Sessionmaker = async_sessionmaker[AsyncSession]


def _not_found(reception_id: str) -> ApiError:
    return ApiError(
        404,
        "reception_not_found",
        f"接访记录 {reception_id} 不存在",
        f"reception {reception_id} not found",
    )


def _area(principal: Principal) -> str:
    if principal.jurisdiction is None:
        raise forbidden("当前用户没有辖区", "the caller has no jurisdiction")
    return principal.jurisdiction


async def record(
    body: ReceptionRequest,
    *,
    key: str | None = None,
    principal: Principal,
    sessionmaker: Sessionmaker,
) -> dict[str, Any]:
    """Record a reception the caller held; the receiving organisation must be one of the
    registry's, active, working in the caller's area or above it. Once per ``key`` (the
    caller's Idempotency-Key, bound to this body): a retry answers with the reception it made."""
    area = _area(principal)
    now = datetime.now(UTC)
    refusal = reception_not_future(body.received_on, china_date(now))
    if refusal is not None:
        raise invalid_input(refusal, "the reception date lies in the future", field="received_on")
    reception_id = f"JD-{uuid.uuid4().hex[:20]}"
    if key:
        scoped = await bind(
            key,
            principal=principal,
            command="reception",
            target="",
            body=body,
            sessionmaker=sessionmaker,
        )
        reception_id = f"JD-{hashlib.sha256(scoped.encode()).hexdigest()[:20]}"
    with database_errors():
        async with sessionmaker() as session:
            earlier = await store.reception(reception_id, within=area, session=session)
            if earlier is not None:
                return view(earlier, await store.cases_of(reception_id, session=session))
            org = await registry_store.get_organisation(body.organisation, session=session)
            code = org.jurisdiction_code if org is not None else ""
            related = code.startswith(area) or area.startswith(code)
            if org is None or not org.active or not related:
                raise invalid_input(
                    "接访单位须为本辖区（或上级）在用的单位",
                    "the receiving organisation must be active, in the caller's area or above it",
                    field="organisation",
                )
            reception = Reception(
                **body.model_dump(),
                reception_id=reception_id,
                leader_user_id=principal.user_id,
                leader_name=principal.display_name,
                leader_title=leader_title(area),
                jurisdiction_code=area,
                organisation_name=org.name,
            )
            try:
                await store.add_reception(reception, at=now, session=session)
                await session.commit()
            except IntegrityError:
                # The same request, retried while the first was being recorded: that one's.
                await session.rollback()
                raced = await store.reception(reception_id, within=area, session=session)
                if raced is None:
                    raise
                return view(raced, await store.cases_of(reception_id, session=session))
    return view(reception, [])


async def choices(
    principal: Principal, *, sessionmaker: Sessionmaker
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a leader's forms offer: the organisations a reception may be held at (active, in
    the leader's area or above it) and the places in the area a case may be placed at."""
    area = _area(principal)
    with database_errors():
        async with sessionmaker() as session:
            inside = await registry_store.list_organisations(
                within=area, active=True, session=session
            )
            above = await registry_store.list_organisations(
                covering=area, active=True, session=session
            )
            places = await registry_store.list_jurisdictions(under=area, session=session)
    organisations = {o.org_id: o.name for o in [*above, *inside]}
    shown = [
        (p.code, p.name)
        for p in places
        if len(p.code) <= 12  # a case is placed at a village
    ]
    return sorted(organisations.items(), key=lambda o: o[1]), shown


async def organisations_within(area: str, *, sessionmaker: Sessionmaker) -> set[str]:
    """The ids of the active organisations whose area lies in ``area``."""
    with database_errors():
        async with sessionmaker() as session:
            found = await registry_store.list_organisations(
                within=area, active=True, session=session
            )
    return {o.org_id for o in found}


def _reader_area(principal: Principal, purpose: str | None) -> str:
    """The reader's area; an auditor must have said why they read."""
    if principal.role is Role.AUDITOR and not purpose:
        raise invalid_input("请说明查阅目的", "state the purpose of the read", field="purpose")
    return _area(principal)


async def _trail(
    principal: Principal,
    receptions: list[Reception],
    endpoint: str,
    purpose: str | None,
    sessionmaker: Sessionmaker,
) -> None:
    """An auditor's read: each reception shown is one line of the access trail (its visitors
    are personal data), before the answer; a leader's own log is not trailed."""
    if principal.role is not Role.AUDITOR:
        return
    await record_access(
        sessionmaker,
        principal,
        [
            Access(r.reception_id, r.jurisdiction_code, endpoint, ("visitors",), purpose)
            for r in receptions
        ],
    )


async def list_receptions(
    *,
    limit: int,
    purpose: str | None = None,
    principal: Principal,
    sessionmaker: Sessionmaker,
) -> list[dict[str, Any]]:
    """The receptions held in the caller's area, the latest first (visitors masked)."""
    area = _reader_area(principal, purpose)
    with database_errors():
        async with sessionmaker() as session:
            found = await store.list_receptions(within=area, limit=limit, session=session)
    await _trail(principal, [r for r, _ in found], "GET /v1/receptions", purpose, sessionmaker)
    return [view(reception, None, count=count) for reception, count in found]


async def get_reception(
    reception_id: str,
    *,
    purpose: str | None = None,
    principal: Principal,
    sessionmaker: Sessionmaker,
) -> dict[str, Any]:
    """One reception in the caller's area with the cases registered from it; 404 outside."""
    area = _reader_area(principal, purpose)
    with database_errors():
        async with sessionmaker() as session:
            found = await store.reception(reception_id, within=area, session=session)
            if found is None:
                raise _not_found(reception_id)
            cases = await store.cases_of(reception_id, session=session)
    await _trail(principal, [found], "GET /v1/receptions/{id}", purpose, sessionmaker)
    return view(found, cases)


async def register_case(
    reception_id: str,
    details: dict[str, Any],
    *,
    key: str | None,
    principal: Principal,
    sessionmaker: Sessionmaker,
    temporal: Client,
    settings: Settings,
) -> intake.Intake:
    """Register a case brought to the reception: only the leader who received the visitors
    (they become its 包案领导); the log lists the case once registered (a retry with the same
    Idempotency-Key registers nothing new and lists it once)."""
    with database_errors():
        async with sessionmaker() as session:
            found = await store.reception(reception_id, within=_area(principal), session=session)
    if found is None:
        raise _not_found(reception_id)
    if found.leader_user_id != principal.user_id:
        raise forbidden(
            f"只有接访领导{found.leader_name}可以从本次接访登记案件",
            "only the leader who held the reception registers cases from it",
        )
    details = _with_visitors(details, found)
    leader = PackageLeaderDetails(
        leader_name=found.leader_name,
        leader_title=found.leader_title,
        reason=f"领导接访（{found.received_on.isoformat()}，{found.place}）",
        leader_id=found.leader_user_id,
    )
    registered = await intake.register(
        details,
        key=key,
        principal=principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
        reception=intake.FromReception(reception_id, found.organisation, leader),
    )
    case_id = registered.body.get("case_id")
    if registered.outcome is intake.IntakeOutcome.REGISTERED and case_id:
        with database_errors():
            async with sessionmaker() as session:
                await store.link_case(reception_id, case_id, at=datetime.now(UTC), session=session)
                await session.commit()
    return registered


def _with_visitors(details: dict[str, Any], reception: Reception) -> dict[str, Any]:
    """The visitors named in ``details["visitors"]`` as applicants, first (their numbers as the
    reception recorded them, never sent back by the caller)."""
    chosen = list(dict.fromkeys(details.get("visitors") or ()))
    if any(index >= len(reception.visitors) for index in chosen):
        raise invalid_input(
            f"本次接访只登记了 {len(reception.visitors)} 位来访人员",
            f"the reception lists {len(reception.visitors)} visitors",
            field="visitors",
        )
    applicants = [
        {
            "name": visitor.name,
            **({"id_number": visitor.id_number} if visitor.id_number else {}),
            **({"phone": visitor.phone} if visitor.phone else {}),
            **({"headcount": visitor.people} if visitor.people > 1 else {}),
        }
        for visitor in (reception.visitors[index] for index in chosen)
    ]
    applicants += list(details.get("applicants") or ())
    if not applicants:
        raise invalid_input(
            "请选择申请的来访人员或填写申请人",
            "name the visitors who apply, or the applicants",
            field="applicants",
        )
    rest = {name: value for name, value in details.items() if name != "visitors"}
    return {**rest, "applicants": applicants}


def view(
    reception: Reception, cases: list[ReceptionCase] | None, *, count: int | None = None
) -> dict[str, Any]:
    """The reception as anyone may see it: ID numbers and phones masked, free text scrubbed."""
    visitors = [
        VisitorView(
            name=scrub_text(v.name),  # a number typed into the name is masked like any text
            id_number=mask_id(v.id_number) if v.id_number else None,
            phone=mask_phone(v.phone) if v.phone else None,
            people=v.people,
            matter=scrub_text(v.matter),
        )
        for v in reception.visitors
    ]
    listed = None
    if cases is not None:
        listed = [
            ReceptionCaseView(
                case_id=case.case_id,
                title=scrub_text(case.title),
                stage=case.stage,
                stage_label=STAGE_LABELS[Stage(case.stage)],
                registered_at=case.registered_at,
            )
            for case in cases
        ]
    return ReceptionView(
        reception_id=reception.reception_id,
        leader_user_id=reception.leader_user_id,
        leader_name=reception.leader_name,
        leader_title=reception.leader_title,
        jurisdiction_code=reception.jurisdiction_code,
        organisation=reception.organisation,
        organisation_name=reception.organisation_name,
        received_on=reception.received_on,
        place=scrub_text(reception.place),
        visitors=visitors,
        note=scrub_text(reception.note),
        case_count=count if count is not None else len(listed or ()),
        cases=listed,
    ).model_dump(mode="json")
