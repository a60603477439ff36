"""The organisation registry (单位名录) and 分流 suggestions: stateless services over the store.

Who may read or manage is checked here against ``domain.organisation.registry``'s rules; every
refusal is an ``ApiError`` (403 role, 404 unknown id, 409 duplicate id, 422 with the field at
fault). ``routing_suggestion`` and ``organisation_ref`` are what intake calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import admin_trail
from activities.identity.admin_trail import Actor
from activities.policy.routing import routing_rules
from activities.store import registry as store
from api.errors import ApiError, database_errors, forbidden, invalid_input
from api.registry_schemas import (
    JurisdictionView,
    MediatorCreate,
    MediatorPatch,
    MediatorView,
    OrganisationCreate,
    OrganisationList,
    OrganisationPatch,
    OrganisationView,
    PlaceWalk,
    RoutingAnswer,
)
from domain.organisation.organisations import OrgRef
from domain.organisation.registry import (
    JurisdictionLevel,
    JurisdictionNode,
    Organisation,
    RegistryError,
    RosterMediator,
    enclosing_codes,
    may_manage_organisations,
    may_manage_roster,
    may_read_registry,
    org_level_of,
)
from domain.organisation.routing import RoutingRules, RoutingSuggestion, candidates, suggest
from domain.people.access import Principal
from domain.people.administration import AdminAction
from domain.values import Category, Jurisdiction, RiskLevel

Sessionmaker = async_sessionmaker[AsyncSession]


def _require_reader(principal: Principal) -> None:
    if not may_read_registry(principal):
        raise forbidden("当前角色无权查看单位名录", f"role '{principal.role.value}' may not read")


def _organisation_not_found(org_id: str) -> ApiError:
    return ApiError(
        404, "organisation_not_found", f"单位 {org_id} 不存在", f"organisation {org_id} not found"
    )


def _mediator_not_found(mediator_id: str) -> ApiError:
    return ApiError(
        404,
        "mediator_not_found",
        f"调解员 {mediator_id} 不存在",
        f"mediator {mediator_id} not found",
    )


def _duplicate(what_zh: str, what_en: str, entry_id: str, field: str) -> ApiError:
    return ApiError(
        409,
        "duplicate_id",
        f"{what_zh} {entry_id} 已存在",
        f"{what_en} {entry_id} already exists",
        field=field,
    )


def _refused(error: RegistryError) -> ApiError:
    return invalid_input(error.message_zh, error.message_en, field=error.field)


def _invalid(error: ValidationError, *, default_field: str) -> ApiError:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or default_field
    reason = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return invalid_input(reason, reason, field=field)


async def _views(orgs: list[Organisation], *, session: AsyncSession) -> list[OrganisationView]:
    names = await store.jurisdiction_names([o.jurisdiction_code for o in orgs], session=session)
    return [OrganisationView.of(org, names) for org in orgs]


# --- jurisdictions and organisations ---------------------------------------------------------


async def list_jurisdictions(
    principal: Principal, *, under: str | None, sessionmaker: Sessionmaker
) -> list[JurisdictionView]:
    _require_reader(principal)
    with database_errors():
        async with sessionmaker() as session:
            nodes = await store.list_jurisdictions(under=under, session=session)
    return [JurisdictionView.of(node) for node in nodes]


async def intake_places(
    principal: Principal, *, sessionmaker: Sessionmaker
) -> list[JurisdictionView]:
    """属地 to choose from at intake: the caller's area, the places it lies in and those inside it
    down to villages (a case is placed at a village at most, never at a grid), by code."""
    _require_reader(principal)
    area = principal.jurisdiction
    if area is None:
        return []
    with database_errors():
        async with sessionmaker() as session:
            above = await store.ancestors(area, session=session)
            inside = await store.list_jurisdictions(under=area, session=session)
    nodes = {n.code: n for n in [*above, *inside] if n.level is not JurisdictionLevel.GRID}
    return [JurisdictionView.of(nodes[code]) for code in sorted(nodes)]


async def place_of(code: str, *, sessionmaker: Sessionmaker) -> Jurisdiction:
    """The 属地 a case records for the place ``code``: the code of each level it lies in, named as
    the registry names them (a ``ValidationError`` for a code of no level)."""
    Jurisdiction.at(code)  # a code of no level is refused before the store is asked
    with database_errors():
        async with sessionmaker() as session:
            names = await store.jurisdiction_names([code, *enclosing_codes(code)], session=session)
    return Jurisdiction.at(code, names)


async def list_organisations(
    principal: Principal,
    *,
    within: str | None,
    covering: str | None,
    active: bool | None,
    sessionmaker: Sessionmaker,
) -> list[OrganisationView]:
    _require_reader(principal)
    with database_errors():
        async with sessionmaker() as session:
            orgs = await store.list_organisations(
                within=within, covering=covering, active=active, session=session
            )
            return await _views(orgs, session=session)


# A page of the registry stays small whatever the registry holds.
ORGANISATIONS_PER_PAGE = 50
MAX_ORGANISATIONS_PER_PAGE = 200
PLACES_SHOWN = 200


def _place_not_found(code: str) -> ApiError:
    return ApiError(
        404,
        "place_not_found",
        f"区划 {code} 不在区划名录中",
        f"place {code} is not in the registry",
    )


async def place_walk(
    principal: Principal,
    code: str | None,
    *,
    grids: bool,
    sessionmaker: Sessionmaker,
    limit: int = PLACES_SHOWN,
) -> PlaceWalk:
    """The place ``code`` (None: the top of the registry), the places it lies in and at most
    ``limit`` of those directly inside it (no grids unless ``grids``: no organisation is placed
    at a grid); 404 for a code the registry does not know."""
    _require_reader(principal)
    with database_errors():
        async with sessionmaker() as session:
            place = None if code is None else await store.get_jurisdiction(code, session=session)
            if code is not None and place is None:
                raise _place_not_found(code)
            above = [] if code is None else await store.ancestors(code, session=session)
            children: list[JurisdictionNode] = []
            total = 0
            if grids or place is None or place.level is not JurisdictionLevel.VILLAGE:
                children, total = await store.child_places(code, limit=limit, session=session)
    return PlaceWalk(
        trail=[JurisdictionView.of(n) for n in reversed(above)],
        place=JurisdictionView.of(place) if place is not None else None,
        children=[
            JurisdictionView.of(n)
            for n in children
            if grids or n.level is not JurisdictionLevel.GRID
        ],
        children_total=total,
    )


async def find_organisations(
    principal: Principal,
    *,
    at: str | None = None,
    within: str | None = None,
    name: str | None = None,
    active: bool | None = None,
    limit: int = ORGANISATIONS_PER_PAGE,
    offset: int = 0,
    sessionmaker: Sessionmaker,
) -> OrganisationList:
    """One page of organisations: those ``at`` a place or ``within`` an area, whose name holds
    ``name``, active or not, by id, with how many match."""
    _require_reader(principal)
    if not 1 <= limit <= MAX_ORGANISATIONS_PER_PAGE or offset < 0:
        raise invalid_input(
            f"每页条数须在 1 至 {MAX_ORGANISATIONS_PER_PAGE} 之间，起始位置不得为负",
            f"limit must be 1 to {MAX_ORGANISATIONS_PER_PAGE} and offset not negative",
            field="limit" if offset >= 0 else "offset",
        )
    with database_errors():
        async with sessionmaker() as session:
            orgs, total = await store.find_organisations(
                at=at,
                within=within,
                name=name,
                active=active,
                limit=limit,
                offset=offset,
                session=session,
            )
            items = await _views(orgs, session=session)
    return OrganisationList(items=items, total=total, limit=limit, offset=offset)


async def read_organisation(
    principal: Principal, org_id: str, *, sessionmaker: Sessionmaker
) -> OrganisationView:
    _require_reader(principal)
    with database_errors():
        async with sessionmaker() as session:
            org = await store.get_organisation(org_id, session=session)
            if org is None:
                raise _organisation_not_found(org_id)
            return (await _views([org], session=session))[0]


async def organisation_names(ids: Iterable[str], *, sessionmaker: Sessionmaker) -> dict[str, str]:
    """Names of organisations already shown by id to a caller who reads them (a worklist's
    承办单位): names only, nothing the id does not already tell."""
    with database_errors():
        async with sessionmaker() as session:
            return await store.organisation_names(ids, session=session)


def _require_admin(principal: Principal) -> None:
    if not may_manage_organisations(principal):
        raise forbidden(
            "只有系统管理员可以管理单位", f"role '{principal.role.value}' may not manage units"
        )


async def create_organisation(
    principal: Principal, body: OrganisationCreate, *, sessionmaker: Sessionmaker
) -> OrganisationView:
    _require_admin(principal)
    fields = body.model_dump()
    fields["level"] = body.level or org_level_of(body.jurisdiction_code)
    try:
        org = Organisation.model_validate(fields)
    except ValidationError as error:
        raise _invalid(error, default_field="level") from error
    with database_errors():
        async with sessionmaker.begin() as session:
            try:
                await store.create_organisation(org, session=session)
            except store.DuplicateEntry as error:
                raise _duplicate("单位", "organisation", org.org_id, "org_id") from error
            except RegistryError as error:
                raise _refused(error) from error
            await _trail(principal, org.org_id, {"change": "created"}, session)
            return (await _views([org], session=session))[0]


async def _trail(
    principal: Principal, target: str, details: dict[str, str], session: AsyncSession
) -> None:
    """单位名录的变更 in the administration trail (管理留痕)."""
    await admin_trail.append(
        Actor.of(principal),
        AdminAction.REGISTRY_CHANGED,
        target=target,
        details=details,
        at=datetime.now(UTC),
        session=session,
    )


async def update_organisation(
    principal: Principal, org_id: str, patch: OrganisationPatch, *, sessionmaker: Sessionmaker
) -> OrganisationView:
    _require_admin(principal)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    if "jurisdiction_code" in changes and "level" not in changes:
        changes["level"] = org_level_of(changes["jurisdiction_code"])
    with database_errors():
        async with sessionmaker.begin() as session:
            current = await store.get_organisation(org_id, session=session)
            if current is None:
                raise _organisation_not_found(org_id)
            try:
                org = Organisation.model_validate(current.model_dump() | changes)
            except ValidationError as error:
                raise _invalid(error, default_field="level") from error
            try:
                await store.update_organisation(org, session=session)
            except RegistryError as error:
                raise _refused(error) from error
            await _trail(principal, org_id, {"change": "、".join(sorted(changes)) or "—"}, session)
            return (await _views([org], session=session))[0]


# --- the roster ------------------------------------------------------------------------------


async def list_mediators(
    principal: Principal, org_id: str, *, active: bool | None, sessionmaker: Sessionmaker
) -> list[MediatorView]:
    _require_reader(principal)
    with database_errors():
        async with sessionmaker() as session:
            if await store.get_organisation(org_id, session=session) is None:
                raise _organisation_not_found(org_id)
            roster = await store.list_mediators(org_id=org_id, active=active, session=session)
    return [MediatorView.of(m) for m in roster]


def _require_roster_manager(principal: Principal, org_id: str) -> None:
    if not may_manage_roster(principal, org_id):
        raise forbidden(
            "只有系统管理员或本单位管理员可以管理调解员名册",
            f"role '{principal.role.value}' may not manage the roster of {org_id}",
        )


async def add_mediator(
    principal: Principal, org_id: str, body: MediatorCreate, *, sessionmaker: Sessionmaker
) -> MediatorView:
    _require_roster_manager(principal, org_id)
    mediator = RosterMediator.model_validate({**body.model_dump(), "org_id": org_id})
    with database_errors():
        async with sessionmaker.begin() as session:
            if await store.get_organisation(org_id, session=session) is None:
                raise _organisation_not_found(org_id)
            try:
                await store.create_mediator(mediator, session=session)
            except store.DuplicateEntry as error:
                raise _duplicate(
                    "调解员", "mediator", mediator.mediator_id, "mediator_id"
                ) from error
            await _trail(principal, org_id, {"change": f"roster+{mediator.mediator_id}"}, session)
    return MediatorView.of(mediator)


async def update_mediator(
    principal: Principal, mediator_id: str, patch: MediatorPatch, *, sessionmaker: Sessionmaker
) -> MediatorView:
    _require_reader(principal)
    with database_errors():
        async with sessionmaker.begin() as session:
            current = await store.get_mediator(mediator_id, session=session)
            if current is None:
                raise _mediator_not_found(mediator_id)
            _require_roster_manager(principal, current.org_id)
            changes = patch.model_dump(exclude_unset=True)
            mediator = RosterMediator.model_validate(current.model_dump() | changes)
            _require_roster_manager(principal, mediator.org_id)  # and where it moves to
            try:
                await store.update_mediator(mediator, session=session)
            except RegistryError as error:
                raise _refused(error) from error
            change = f"roster {mediator_id}: " + "、".join(sorted(changes))
            await _trail(principal, mediator.org_id, {"change": change}, session)
    return MediatorView.of(mediator)


# --- 分流 -------------------------------------------------------------------------------------


async def _routing_inputs(
    principal: Principal, jurisdiction_code: str, rules: RoutingRules, *, session: AsyncSession
) -> tuple[Organisation | None, list[Organisation]]:
    """The caller's organisation, and the organisations a suggestion may name: those covering
    the place and those the rules name outright."""
    registrar = (
        await store.get_organisation(principal.center_id, session=session)
        if principal.center_id
        else None
    )
    near = await store.list_organisations(covering=jurisdiction_code, session=session)
    named = {r.target.org_id for r in rules.rules if r.target.org_id is not None}
    named -= {o.org_id for o in near}
    for org_id in sorted(named):
        org = await store.get_organisation(org_id, session=session)
        if org is not None:
            near.append(org)
    return registrar, near


async def routing_suggestion(
    principal: Principal,
    category: Category,
    risk_level: RiskLevel,
    jurisdiction_code: str,
    *,
    sessionmaker: Sessionmaker,
    rules: RoutingRules | None = None,
) -> RoutingSuggestion | None:
    """The organisation the rules suggest for a case the caller registers (None: the caller has
    no organisation, or it is inactive and no rule resolved). ``rules``: the shipped ones."""
    rules = rules or routing_rules()
    async with sessionmaker() as session:
        registrar, organisations = await _routing_inputs(
            principal, jurisdiction_code, rules, session=session
        )
    if registrar is None:
        return None
    return suggest(
        rules,
        organisations,
        category=category,
        risk_level=risk_level,
        registrar=registrar,
        jurisdiction_code=jurisdiction_code,
    )


async def routing_answer(
    principal: Principal,
    category: Category,
    risk_level: RiskLevel,
    jurisdiction_code: str,
    *,
    sessionmaker: Sessionmaker,
    rules: RoutingRules,
) -> RoutingAnswer:
    """``POST /v1/routing/suggestion``: the suggestion, and the organisations to choose from."""
    if principal.center_id is None:
        raise forbidden("当前用户不属于任何单位，无法分流", "the caller belongs to no organisation")
    with database_errors():
        async with sessionmaker() as session:
            registrar, organisations = await _routing_inputs(
                principal, jurisdiction_code, rules, session=session
            )
            if registrar is None:
                raise _organisation_not_found(principal.center_id)
            found = suggest(
                rules,
                organisations,
                category=category,
                risk_level=risk_level,
                registrar=registrar,
                jurisdiction_code=jurisdiction_code,
            )
            choices = candidates(
                organisations, category=category, jurisdiction_code=jurisdiction_code
            )
            views = await _views(choices, session=session)
    return RoutingAnswer(suggestion=found, rules_version=rules.version, candidates=views)


async def organisation_ref(org_id: str, *, sessionmaker: Sessionmaker) -> OrgRef | None:
    """The organisation as a case records it (id, name, level, type now), if it exists."""
    async with sessionmaker() as session:
        org = await store.get_organisation(org_id, session=session)
    return org.ref if org is not None else None
