"""Intake (登记): a new case, or a repeat petition (重复信访) recorded on the pending one.

A new case is routed (分流): the registry's rules suggest the organisation that handles it, the
registrar takes the suggestion or names another (with a reason); the registering user is its
reporter. A grid worker (网格员) reports from their grid: channel grid_report, the grid recorded.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.policy.routing import routing_rules
from activities.runtime.party_keys import lookup_keys, party_keyring
from activities.runtime.settings import Settings
from activities.store import repositories
from activities.store.case_numbers import claim_case_number
from activities.store.engine import single_read
from activities.store.registry import jurisdiction_names
from api.access import reachable
from api.errors import ApiError, database_errors, forbidden, invalid_input
from api.gateway import register_case, send_command
from api.idempotency import bind
from api.services import registry
from api.services.documents import case_view, stored_or_none
from api.services.handoffs import resolve_organisation
from domain.case import commands as c
from domain.case.details import IntakeDetails, PackageLeaderDetails
from domain.case.matters import matter_key
from domain.case.stages import TERMINAL_STAGES, Stage
from domain.organisation.organisations import Routing
from domain.people.access import Principal, Role
from domain.values import CaseKind, Channel, Jurisdiction, china_date


class IntakeOutcome(Enum):
    REGISTERED = "registered"  # a new case (or the retry of its intake)
    REPEAT = "repeat"  # recorded on the caller's pending petition on the same matter
    REPEAT_ELSEWHERE = "repeat_elsewhere"  # recorded on a petition another center handles


@dataclass(frozen=True)
class Intake:
    outcome: IntakeOutcome
    body: dict[str, Any]  # the case as the caller may see it, or a note on the repeat


def _idempotency_conflict() -> ApiError:
    """The caller's own earlier intake with this key is no longer within their reach."""
    return ApiError(
        409,
        "idempotency_key_conflict",
        "您以该 Idempotency-Key 登记的案件已不在您的查看范围内",
        "the case you registered with this Idempotency-Key is no longer within your reach",
        field="Idempotency-Key",
    )


def _check_intake_scope(principal: Principal, code: str, *, allowed: bool | None = None) -> None:
    if not (principal.may_register_at(code) if allowed is None else allowed):
        raise ApiError(
            403,
            "forbidden_jurisdiction",
            "案件属地不在您的辖区内",
            "the case's jurisdiction is outside yours",
            field="jurisdiction",
        )


@dataclass(frozen=True)
class FromReception:
    """领导接访: a case registered from a reception log — by the receiving organisation's intake
    (its routing), with the receiving leader as 包案领导."""

    reception_id: str
    organisation: str  # 接访单位: the registering organisation
    leader: PackageLeaderDetails


def _reception_scope(principal: Principal, code: str, reception: FromReception | None) -> Principal:
    """Who registers: the caller, or — from a reception — the caller on behalf of the receiving
    organisation (a leader registers in their own area)."""
    if reception is None:
        _check_intake_scope(principal, code)
        return principal
    _check_intake_scope(principal, code, allowed=principal.covers(code))
    return principal.model_copy(update={"center_id": reception.organisation})


def _no_reception_channel(details: dict[str, Any]) -> None:
    if details.get("channel") == Channel.LEADER_RECEPTION.value:
        raise invalid_input(
            "来源为领导接访的案件须从接访记录登记",
            "a case from a leader's reception is registered from its reception log",
            field="channel",
        )


@dataclass(frozen=True)
class GridPlace:
    """Where a grid worker (网格员) reports from: their grid, and the village its reports are
    placed at (codes with the registry's names)."""

    grid_code: str
    grid_name: str | None
    village: Jurisdiction


async def grid_place(
    principal: Principal, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> GridPlace:
    """The caller's grid and its village (a grid worker's only)."""
    if principal.grid_code is None or principal.grid_village is None:
        raise forbidden("当前用户不是网格员", "the caller is not a grid worker")
    village = await registry.place_of(principal.grid_village, sessionmaker=sessionmaker)
    with database_errors():
        async with sessionmaker() as session:
            names = await jurisdiction_names([principal.grid_code], session=session)
    return GridPlace(principal.grid_code, names.get(principal.grid_code), village)


async def grid_report(
    details: dict[str, Any],
    principal: Principal,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[str, Any]:
    """网格上报: a grid worker's case comes through the grid channel, placed at their grid's
    village (filled in when not given), routed as the rules suggest."""
    if details.get("kind", CaseKind.DISPUTE.value) != CaseKind.DISPUTE.value:
        # 信访事项 go to a petition office; a grid worker reports disputes (and a petition's
        # repeat check would tell them of cases they may not read).
        raise invalid_input(
            "网格员只能上报矛盾纠纷，信访事项请引导至信访部门登记",
            "a grid worker reports disputes only; petitions are registered by a petition office",
            field="kind",
        )
    if details.get("routing") is not None:
        raise invalid_input(
            "网格员上报的案件按分流规则确定承办单位，不能另行指定",
            "a grid worker's report is routed by the rules: it cannot name an organisation",
            field="routing",
        )
    details = {**details, "channel": Channel.GRID_REPORT.value}
    if details.get("jurisdiction") is None:
        place = await grid_place(principal, sessionmaker=sessionmaker)
        details["jurisdiction"] = place.village.model_dump(exclude_none=True)
    return details


async def _bound(
    key: str | None,
    principal: Principal,
    sent: dict[str, Any],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[str, str | None]:
    """The caller's Idempotency-Key bound to this intake (scoped to the user), or a key of its
    own when the caller sent none; and the case already registered under it (a retry), if any."""
    if not key:
        return f"auto-{uuid.uuid4()}", None
    scoped = await bind(
        key, principal=principal, command="intake", target="", body=sent, sessionmaker=sessionmaker
    )
    with database_errors():
        async with single_read(sessionmaker) as session:
            return scoped, await repositories.case_for_key(scoped, session=session)


async def _routing(
    principal: Principal,
    intake: IntakeDetails,
    choice: dict[str, Any] | None,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> Routing | None:
    """分流: the rules' suggestion for the registrar's organisation, or the registrar's choice
    (a reason when it differs). None when the registrar is not in the registry and chose none:
    the case stays with the registering organisation."""
    with database_errors():
        suggestion = await registry.routing_suggestion(
            principal,
            intake.category,
            intake.risk_level,
            intake.jurisdiction.code,
            sessionmaker=sessionmaker,
            # The deployment's rules, as the suggestion route and the console show them.
            rules=routing_rules(settings.routing_rules_file),
        )
    suggested = suggestion.organisation if suggestion is not None else None
    rule_id = suggestion.rule_id if suggestion is not None else None
    if choice is None:
        if suggested is None:
            return None
        return Routing(suggested=suggested, rule_id=rule_id, chosen=suggested)
    chosen = await resolve_organisation(
        choice["organisation"], "routing.organisation", sessionmaker=sessionmaker
    )
    reason = choice.get("reason") or ""
    if suggested is not None and chosen.org_id != suggested.org_id and not reason:
        raise invalid_input(
            f"未采纳分流建议（{suggested.name}），请说明理由",
            f"say why the suggestion ({suggested.org_id}) is not taken",
            field="routing.reason",
        )
    return Routing(suggested=suggested, rule_id=rule_id, chosen=chosen, override_reason=reason)


async def register(
    details: dict[str, Any],
    *,
    key: str | None,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
    reception: FromReception | None = None,
) -> Intake:
    """Register the case described by ``details`` (the intake body), once per ``key`` (the
    caller's own: scoped to the user and bound to this body, ``api/idempotency.py``).
    ``reception``: the case comes from a leader's reception log (领导接访)."""
    now = datetime.now(UTC)
    sent = details
    grid = principal.role is Role.GRID_WORKER
    if grid:
        details = await grid_report(details, principal, sessionmaker=sessionmaker)
    if reception is None:
        _no_reception_channel(details)
    else:
        details = {**details, "channel": Channel.LEADER_RECEPTION.value}
    choice = details.get("routing")
    details = {name: value for name, value in details.items() if name != "routing"}
    intake = IntakeDetails.model_validate(details)
    registrar = _reception_scope(principal, intake.jurisdiction.code, reception)
    # Three independent steps at once (each its own connection): the key's binding, the place's
    # registry name, the routing (by code, category and risk). Their errors are raised in that
    # order; a routing error only when a new case is registered (a repeat is not routed).
    bound, place, routing = await asyncio.gather(
        _bound(key, principal, sent, sessionmaker=sessionmaker),
        registry.place_of(intake.jurisdiction.code, sessionmaker=sessionmaker),
        _routing(registrar, intake, choice, sessionmaker=sessionmaker, settings=settings),
        return_exceptions=True,
    )
    for outcome in (bound, place):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(bound, tuple)
    assert isinstance(place, Jurisdiction)
    key, registered = bound
    # 属地 names are the registry's, by code; names in the body are not taken (a case at
    # 320102001 is never labelled as another street). A code the registry lacks goes unnamed.
    details["jurisdiction"] = place.model_dump(exclude_none=True)
    intake = intake.model_copy(update={"jurisdiction": place})
    # The matter's key under every key of the party keyring (a re-key may still be under way).
    matters = [matter_key(intake, key=secret) for secret in lookup_keys(party_keyring(settings))]
    pending = None
    # Petitions only: is a petition on the same matter pending? (A retry of the intake that
    # created that petition is not a repeat of it.)
    if matters[0] is not None and registered is None:
        with database_errors():
            async with single_read(sessionmaker) as session:
                pending = await repositories.pending_petition(
                    [m for m in matters if m], session=session
                )
    if pending is not None:
        # 重复信访: the same matter while a petition on it is pending is not a new case.
        repeat = c.RecordRepeat(
            received_on=intake.received_on or china_date(now),
            channel=intake.channel,
            summary=intake.title,
        )
        envelope = c.CommandEnvelope(
            command_id=f"repeat:{key}", actor=principal.actor, command=repeat
        )
        document = await send_command(
            temporal, sessionmaker, settings, case_id=pending, envelope=envelope, now=now
        )
        if not reachable(principal, document):
            # The matter is handled by another center: say so, without showing its case.
            note = {
                "case_id": pending,
                "repeat": True,
                "message_zh": f"同一事项正在其他单位办理（{pending}），已记为重复信访",
                "message_en": f"recorded as a repeat on {pending}, handled elsewhere",
            }
            return Intake(IntakeOutcome.REPEAT_ELSEWHERE, note)
        return Intake(IntakeOutcome.REPEAT, case_view(principal, document))
    with database_errors():
        if registered is not None:  # a retry: the number its key was given
            case_id, retried = registered, True
        else:
            case_id, retried = await claim_case_number(
                sessionmaker, kind=CaseKind(details["kind"]), year=china_date(now).year, key=key
            )
        stored = await stored_or_none(sessionmaker, case_id) if retried else None
    if stored is not None and not reachable(principal, stored):
        raise _idempotency_conflict()
    if stored is not None and Stage(stored["stage"]) in TERMINAL_STAGES:
        # The case has ended and its workflow may be gone (retention): never start it again.
        return Intake(IntakeOutcome.REGISTERED, case_view(principal, stored))
    if isinstance(routing, BaseException):
        raise routing
    register = c.Register(
        **details,
        case_id=case_id,
        center_id=registrar.center_id,
        routing=routing,
        reporter_id=principal.user_id,
        grid_code=principal.grid_code if grid else None,
        reception_id=reception.reception_id if reception else None,
        package_leader=reception.leader if reception else None,
    )
    envelope = c.CommandEnvelope(
        command_id=f"intake:{key}", actor=principal.actor, command=register
    )
    state = await register_case(
        temporal, sessionmaker, settings, case_id=case_id, envelope=envelope, now=now
    )
    if retried and not reachable(principal, state):
        raise _idempotency_conflict()
    return Intake(IntakeOutcome.REGISTERED, case_view(principal, state))
