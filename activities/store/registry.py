"""The organisation registry in the store: jurisdictions, organisations and the mediator roster.

Every function takes the caller's session (``*, session``) and maps rows to the domain models of
``domain.organisation.registry``; the caller owns the transaction. Loading a registry file is an
upsert: loading the same file twice changes nothing, and entries the file does not name are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.tables import JurisdictionRow, OrganisationRow, RosterMediatorRow
from domain.organisation.organisations import OrgType
from domain.organisation.registry import (
    JurisdictionLevel,
    JurisdictionNode,
    Organisation,
    Registry,
    RegistryError,
    RosterMediator,
    check_no_cycle,
    check_parent,
    contains,
    enclosing_codes,
)


class UnknownEntry(LookupError):
    """No organisation or mediator with this id."""


class DuplicateEntry(ValueError):
    """An organisation or mediator with this id exists already."""


@dataclass(frozen=True)
class LoadSummary:
    """How many entries of each kind a load wrote (new or changed) and how many it left alone."""

    jurisdictions: int
    organisations: int
    mediators: int
    unchanged: int


_PLACE_COLUMNS = (
    JurisdictionRow.code,
    JurisdictionRow.name,
    JurisdictionRow.level,
    JurisdictionRow.parent_code,
)
_ORGANISATION_COLUMNS = (
    OrganisationRow.org_id,
    OrganisationRow.name,
    OrganisationRow.type,
    OrganisationRow.level,
    OrganisationRow.jurisdiction_code,
    OrganisationRow.parent_id,
    OrganisationRow.categories,
    OrganisationRow.active,
)


def _node(row: Any) -> JurisdictionNode:
    """A place from its row (an ORM object or a row of ``_PLACE_COLUMNS``)."""
    return JurisdictionNode(
        code=row.code,
        name=row.name,
        level=JurisdictionLevel(row.level),
        parent_code=row.parent_code,
    )


def _organisation(row: Any) -> Organisation:
    """An organisation from its row (an ORM object or a row of ``_ORGANISATION_COLUMNS``)."""
    return Organisation.model_validate(
        {
            "org_id": row.org_id,
            "name": row.name,
            "type": row.type,
            "level": row.level,
            "jurisdiction_code": row.jurisdiction_code,
            "parent_id": row.parent_id,
            "categories": tuple(row.categories),
            "active": row.active,
        }
    )


def _mediator(row: RosterMediatorRow) -> RosterMediator:
    return RosterMediator.model_validate(
        {
            "mediator_id": row.mediator_id,
            "name": row.name,
            "org_id": row.org_id,
            "specialties": tuple(row.specialties),
            "employment": row.employment,
            "active": row.active,
        }
    )


def _organisation_values(org: Organisation) -> dict[str, object]:
    return {
        "name": org.name,
        "type": org.type.value,
        "level": org.level.value,
        "jurisdiction_code": org.jurisdiction_code,
        "parent_id": org.parent_id,
        "categories": [c.value for c in org.categories],
        "active": org.active,
    }


def _mediator_values(mediator: RosterMediator) -> dict[str, object]:
    return {
        "name": mediator.name,
        "org_id": mediator.org_id,
        "specialties": [c.value for c in mediator.specialties],
        "employment": mediator.employment.value,
        "active": mediator.active,
    }


def _apply(row: object, values: dict[str, object]) -> bool:
    """Set ``values`` on ``row``; True if anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _parents_first(organisations: Iterable[Organisation]) -> list[Organisation]:
    """Each organisation after its parent (a registry file may list them in any order)."""
    by_id = {o.org_id: o for o in organisations}

    def depth(org: Organisation) -> int:
        seen, n, parent = set(), 0, org.parent_id
        while parent in by_id and parent not in seen:
            seen.add(parent)
            n += 1
            parent = by_id[parent].parent_id
        return n

    return sorted(by_id.values(), key=depth)


async def load_registry(registry: Registry, *, session: AsyncSession) -> LoadSummary:
    """Upsert a (validated) registry file: places, then organisations parents first, then the
    roster."""
    written = {"jurisdictions": 0, "organisations": 0, "mediators": 0}
    unchanged = 0
    for node in sorted(registry.jurisdictions, key=lambda n: len(n.code)):
        values: dict[str, object] = {
            "name": node.name,
            "level": node.level.value,
            "parent_code": node.parent_code,
        }
        row = await session.get(JurisdictionRow, node.code)
        if row is None:
            session.add(JurisdictionRow(code=node.code, **values))
        elif not _apply(row, values):
            unchanged += 1
            continue
        written["jurisdictions"] += 1
        await session.flush()
    for org in _parents_first(registry.organisations):
        org_row = await session.get(OrganisationRow, org.org_id)
        if org_row is None:
            session.add(OrganisationRow(org_id=org.org_id, **_organisation_values(org)))
        elif _apply(org_row, _organisation_values(org)):
            org_row.updated_at = datetime.now(UTC)
        else:
            unchanged += 1
            continue
        written["organisations"] += 1
        await session.flush()
    for mediator in registry.mediators:
        mediator_row = await session.get(RosterMediatorRow, mediator.mediator_id)
        if mediator_row is None:
            session.add(
                RosterMediatorRow(mediator_id=mediator.mediator_id, **_mediator_values(mediator))
            )
        elif _apply(mediator_row, _mediator_values(mediator)):
            mediator_row.updated_at = datetime.now(UTC)
        else:
            unchanged += 1
            continue
        written["mediators"] += 1
    await session.flush()
    return LoadSummary(unchanged=unchanged, **written)


# --- jurisdictions -------------------------------------------------------------------------


async def list_jurisdictions(
    *, session: AsyncSession, under: str | None = None
) -> list[JurisdictionNode]:
    """Every known place (or those in ``under``'s subtree, itself included), by code."""
    # Columns, not ORM objects: a registry lists thousands of places, and the identity map
    # cost more than the query.
    query = select(*_PLACE_COLUMNS).order_by(JurisdictionRow.code)
    if under is not None:
        query = query.where(JurisdictionRow.code.startswith(under, autoescape=True))
    return [_node(row) for row in await session.execute(query)]


async def child_places(
    parent: str | None,
    *,
    session: AsyncSession,
    level: JurisdictionLevel | None = None,
    limit: int | None = None,
) -> tuple[list[JurisdictionNode], int]:
    """The places directly inside ``parent`` (None: the top places, those with no parent), by
    code, at most ``limit`` of them, and how many there are."""
    where = (
        JurisdictionRow.parent_code.is_(None)
        if parent is None
        else JurisdictionRow.parent_code == parent
    )
    conditions = [where] if level is None else [where, JurisdictionRow.level == level.value]
    query = select(*_PLACE_COLUMNS).where(*conditions).order_by(JurisdictionRow.code).limit(limit)
    total = await session.scalar(
        select(func.count()).select_from(JurisdictionRow).where(*conditions)
    )
    return [_node(row) for row in await session.execute(query)], int(total or 0)


async def get_jurisdiction(code: str, *, session: AsyncSession) -> JurisdictionNode | None:
    row = await session.get(JurisdictionRow, code)
    return _node(row) if row is not None else None


async def jurisdiction_names(codes: Iterable[str], *, session: AsyncSession) -> dict[str, str]:
    """code → name for the codes the registry knows."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await session.execute(
        select(JurisdictionRow.code, JurisdictionRow.name).where(JurisdictionRow.code.in_(wanted))
    )
    return {row.code: row.name for row in rows}


async def ancestors(code: str, *, session: AsyncSession) -> list[JurisdictionNode]:
    """The known places above ``code``, nearest first (a grid's village, town, county)."""
    above = enclosing_codes(code)
    if not above:
        return []
    rows = await session.scalars(select(JurisdictionRow).where(JurisdictionRow.code.in_(above)))
    return sorted((_node(row) for row in rows), key=lambda n: len(n.code), reverse=True)


# --- organisations -------------------------------------------------------------------------


async def organisation_names(ids: Iterable[str], *, session: AsyncSession) -> dict[str, str]:
    """org id → name for the organisations the registry knows."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(OrganisationRow.org_id, OrganisationRow.name).where(
            OrganisationRow.org_id.in_(wanted)
        )
    )
    return {row.org_id: row.name for row in rows}


async def get_organisation(org_id: str, *, session: AsyncSession) -> Organisation | None:
    row = await session.get(OrganisationRow, org_id)
    return _organisation(row) if row is not None else None


async def parent_of(org_id: str, *, session: AsyncSession) -> Organisation | None:
    """The organisation's parent (上级单位), None for a top one; UnknownEntry if no such org."""
    row = await session.get(OrganisationRow, org_id)
    if row is None:
        raise UnknownEntry(org_id)
    return await get_organisation(row.parent_id, session=session) if row.parent_id else None


async def list_organisations(
    *,
    session: AsyncSession,
    within: str | None = None,
    covering: str | None = None,
    org_type: OrgType | None = None,
    active: bool | None = None,
) -> list[Organisation]:
    """Organisations by id: ``within`` an area (theirs lies in it), ``covering`` a place (theirs
    contains it), of a type, active or not."""
    query = select(*_ORGANISATION_COLUMNS).order_by(OrganisationRow.org_id)
    if within is not None:
        query = query.where(OrganisationRow.jurisdiction_code.startswith(within, autoescape=True))
    if covering is not None:
        query = query.where(
            OrganisationRow.jurisdiction_code.in_([covering, *enclosing_codes(covering)])
        )
    if org_type is not None:
        query = query.where(OrganisationRow.type == org_type.value)
    if active is not None:
        query = query.where(OrganisationRow.active == active)
    return [_organisation(row) for row in await session.execute(query)]


async def find_organisations(
    *,
    session: AsyncSession,
    at: str | None = None,
    within: str | None = None,
    name: str | None = None,
    active: bool | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[Organisation], int]:
    """One page of organisations by id: ``at`` a place (theirs is that place), ``within`` an area
    (theirs lies in it), whose name holds ``name``, active or not; and how many match."""
    conditions = []
    if at is not None:
        conditions.append(OrganisationRow.jurisdiction_code == at)
    if within is not None:
        conditions.append(OrganisationRow.jurisdiction_code.startswith(within, autoescape=True))
    if name:
        conditions.append(OrganisationRow.name.contains(name, autoescape=True))
    if active is not None:
        conditions.append(OrganisationRow.active == active)
    query = (
        select(*_ORGANISATION_COLUMNS)
        .where(*conditions)
        .order_by(OrganisationRow.org_id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(
        select(func.count()).select_from(OrganisationRow).where(*conditions)
    )
    return [_organisation(row) for row in await session.execute(query)], int(total or 0)


async def _check_place_and_parent(org: Organisation, *, session: AsyncSession) -> None:
    if await session.get(JurisdictionRow, org.jurisdiction_code) is None:
        raise RegistryError(
            f"区划 {org.jurisdiction_code} 不在区划名录中",
            f"jurisdiction {org.jurisdiction_code} is not in the registry",
            field="jurisdiction_code",
        )
    parent = await get_organisation(org.parent_id, session=session) if org.parent_id else None
    check_parent(org, parent)


async def create_organisation(org: Organisation, *, session: AsyncSession) -> Organisation:
    """Add an organisation; its place must be known and its parent exist and contain it."""
    if await session.get(OrganisationRow, org.org_id) is not None:
        raise DuplicateEntry(org.org_id)
    await _check_place_and_parent(org, session=session)
    session.add(OrganisationRow(org_id=org.org_id, **_organisation_values(org)))
    await session.flush()
    return org


async def update_organisation(org: Organisation, *, session: AsyncSession) -> Organisation:
    """Replace an organisation's entry (a new name, area, parent, categories, or active flag).

    The new parent may not lie under it, and its own units must still lie inside its area.
    """
    row = await session.get(OrganisationRow, org.org_id)
    if row is None:
        raise UnknownEntry(org.org_id)
    if org.jurisdiction_code != row.jurisdiction_code or org.parent_id != row.parent_id:
        await _check_place_and_parent(org, session=session)
        rows = await session.execute(select(OrganisationRow.org_id, OrganisationRow.parent_id))
        parents = {row.org_id: row.parent_id for row in rows}
        check_no_cycle(org.org_id, org.parent_id, parents)
        children = await session.scalars(
            select(OrganisationRow).where(OrganisationRow.parent_id == org.org_id)
        )
        for child in children:
            if not contains(org.jurisdiction_code, child.jurisdiction_code):
                raise RegistryError(
                    f"下级单位 {child.name}（{child.jurisdiction_code}）将不在本单位区划内",
                    f"unit {child.org_id} at {child.jurisdiction_code} would lie outside",
                    field="jurisdiction_code",
                )
    if _apply(row, _organisation_values(org)):
        row.updated_at = datetime.now(UTC)
        await session.flush()
    return org


async def deactivate_organisation(org_id: str, *, session: AsyncSession) -> Organisation:
    """停用: kept for the cases that name it, never suggested or chosen again."""
    current = await get_organisation(org_id, session=session)
    if current is None:
        raise UnknownEntry(org_id)
    return await update_organisation(current.model_copy(update={"active": False}), session=session)


# --- the roster ----------------------------------------------------------------------------


async def get_mediator(mediator_id: str, *, session: AsyncSession) -> RosterMediator | None:
    row = await session.get(RosterMediatorRow, mediator_id)
    return _mediator(row) if row is not None else None


async def list_mediators(
    *, session: AsyncSession, org_id: str | None = None, active: bool | None = None
) -> list[RosterMediator]:
    query = select(RosterMediatorRow).order_by(RosterMediatorRow.mediator_id)
    if org_id is not None:
        query = query.where(RosterMediatorRow.org_id == org_id)
    if active is not None:
        query = query.where(RosterMediatorRow.active == active)
    return [_mediator(row) for row in await session.scalars(query)]


async def _check_org(org_id: str, *, session: AsyncSession) -> None:
    if await session.get(OrganisationRow, org_id) is None:
        raise RegistryError(
            f"单位 {org_id} 不存在", f"organisation {org_id} is unknown", field="org_id"
        )


async def create_mediator(mediator: RosterMediator, *, session: AsyncSession) -> RosterMediator:
    if await session.get(RosterMediatorRow, mediator.mediator_id) is not None:
        raise DuplicateEntry(mediator.mediator_id)
    await _check_org(mediator.org_id, session=session)
    session.add(RosterMediatorRow(mediator_id=mediator.mediator_id, **_mediator_values(mediator)))
    await session.flush()
    return mediator


async def update_mediator(mediator: RosterMediator, *, session: AsyncSession) -> RosterMediator:
    row = await session.get(RosterMediatorRow, mediator.mediator_id)
    if row is None:
        raise UnknownEntry(mediator.mediator_id)
    if mediator.org_id != row.org_id:
        await _check_org(mediator.org_id, session=session)
    if _apply(row, _mediator_values(mediator)):
        row.updated_at = datetime.now(UTC)
        await session.flush()
    return mediator
