"""用户管理's pickers: the places and organisations a user is given, chosen by name from the
registry (单位名录), not typed as codes; and the names the user list shows for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import registry as store
from api.errors import database_errors
from domain.organisation.registry import JurisdictionLevel

Sessionmaker = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class UserChoices:
    """(code, 江宁区 / 东山街道 / 上坊社区) of each county, town and village; (org id, name and
    place) of each active organisation; and the names of every place and organisation by id."""

    places: tuple[tuple[str, str], ...] = ()
    organisations: tuple[tuple[str, str], ...] = ()
    place_names: dict[str, str] = field(default_factory=dict)
    organisation_names: dict[str, str] = field(default_factory=dict)


async def user_choices(*, sessionmaker: Sessionmaker) -> UserChoices:
    """What the add-user form offers (the page is the user administrators' own)."""
    with database_errors():
        async with sessionmaker() as session:
            nodes = await store.list_jurisdictions(session=session)
            orgs = await store.list_organisations(session=session)
    names = {n.code: n.name for n in nodes}
    paths: dict[str, str] = {}
    for node in nodes:  # by code: a place's parent is named before it
        parent = paths.get(node.parent_code or "", "")
        paths[node.code] = f"{parent} / {node.name}" if parent else node.name
    places = tuple((n.code, paths[n.code]) for n in nodes if n.level is not JurisdictionLevel.GRID)
    organisations = tuple(
        (o.org_id, f"{o.name}（{names.get(o.jurisdiction_code, o.jurisdiction_code)}）")
        for o in orgs
        if o.active
    )
    return UserChoices(places, organisations, paths, {o.org_id: o.name for o in orgs})
